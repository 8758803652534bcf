import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  channelSafetyOf,
  type ChannelSettingsSnapshot,
  type EventEnvelope,
  type TicketMessageCreatedPayload,
  type TicketMessageView,
  type TicketView,
} from '@ensoras/contracts';
import { canonicalAddress } from '@ensoras/mail';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import type { EntityManager } from 'typeorm';
import { ConversationLog } from '../conversation/conversation-log.service.js';
import { HANDED_OFF_REASON, LoopBreaker } from '../loop-breaker/loop-breaker.service.js';
import { isHumanStatus } from '../loop-breaker/ticket-update-effect.js';
import { ANSWER_POLICY, decideAnswer, type AnswerDecision, type AnswerPolicy } from './answerability.js';
import { DueResponsesProcessor } from './due-responses.processor.js';
import { cancelOpenResponses } from './open-responses.js';
import { ResponseScheduler, type ScheduleOutcome } from './response-scheduler.service.js';

type IntakeOutcome = { action: 'duplicate' } | { action: 'silent'; reason: string | null } | ScheduleOutcome;

/** A well-formed ticket.message.created with what is decided about it before the transaction. */
interface ArrivedMessage {
  projectId: string;
  ticket: TicketView;
  message: TicketMessageView;
  settings: ChannelSettingsSnapshot | undefined;
  decision: AnswerDecision;
  customerAddress: string;
}

/**
 * Each ticket message joins the conversation read model; a customer's message also schedules (or joins) the
 * ticket's pending response, in the same transaction, so a redelivered event neither records nor schedules twice.
 * Before scheduling, the loop breaker counts our recent replies: at a limit the ticket goes to a human instead.
 */
@Injectable()
export class TicketMessageIntake {
  private readonly logger = new Logger(TicketMessageIntake.name);

  constructor(
    private readonly conversation: ConversationLog,
    private readonly scheduler: ResponseScheduler,
    private readonly channels: ChannelSettingsReplica,
    private readonly loopBreaker: LoopBreaker,
    private readonly outbox: Outbox,
    private readonly dueResponses: DueResponsesProcessor,
    @Inject(ANSWER_POLICY) private readonly policy: AnswerPolicy,
  ) {}

  /** One event: a batch of one, so that single events and batches share one code path. */
  receive(envelope: EventEnvelope<TicketMessageCreatedPayload>): Promise<void> {
    return this.receiveMany([envelope]);
  }

  /**
   * Consecutive events (of one project, in stream order) in one transaction: all of them are taken in, or, when it
   * throws, none. Each event is handled exactly as it would be alone, one after another through the same manager,
   * so an event sees what the ones before it wrote: a second message of a ticket joins the response the first
   * scheduled, a repeated message is a duplicate. One commit per batch instead of one per event.
   */
  async receiveMany(envelopes: ReadonlyArray<EventEnvelope<TicketMessageCreatedPayload>>): Promise<void> {
    const wellFormed = envelopes.filter((envelope) => this.isWellFormed(envelope));
    if (wellFormed.length === 0) return;
    await this.channels.whenReady();
    const arrived = wellFormed.map((envelope) => this.arrivedMessage(envelope));

    // A handoff any silent outcome wrote to the outbox is published after the commit.
    const outcomes = await this.outbox.transaction(async (manager) => {
      const taken: IntakeOutcome[] = [];
      // Strictly one after another, never Promise.all: each event must see the rows the ones before it wrote.
      for (const message of arrived) taken.push(await this.takeIn(manager, message));
      return taken;
    });

    arrived.forEach((message, index) => this.logOutcome(message, outcomes[index]!));
    for (const outcome of outcomes) if (outcome.action === 'scheduled') this.dueResponses.wakeIn(outcome.delaySeconds);
  }

  /** A permanently malformed event is skipped: retrying cannot fix it, and it must not block the stream nor fail its batch. */
  private isWellFormed(envelope: EventEnvelope<TicketMessageCreatedPayload>): boolean {
    const ticket = envelope.payload?.ticket;
    const message = envelope.payload?.message;
    if (envelope.projectId && ticket?.id && message?.id && message.createdAt) return true;
    this.logger.error(`Ignoring ticket.message.created ${envelope.id}: ticket or message missing`);
    return false;
  }

  private arrivedMessage({ projectId, payload: { ticket, message }, backlog }: EventEnvelope<TicketMessageCreatedPayload>): ArrivedMessage {
    const settings = this.channels.get(projectId);
    const decision = decideAnswer(message, settings, this.policy, new Date(), backlog === true);
    return { projectId, ticket, message, settings, decision, customerAddress: customerAddressOf(ticket, message) };
  }

  /** One event's database work, inside the caller's transaction: everything goes through `manager`. */
  private async takeIn(manager: EntityManager, arrived: ArrivedMessage): Promise<IntakeOutcome> {
    const { projectId, ticket, message, settings, decision, customerAddress } = arrived;
    if (!(await this.conversation.record(manager, projectId, ticket, message))) return { action: 'duplicate' };
    if (message.direction === 'outbound' && message.author === 'agent') {
      // A person answered: an AI reply on top would be a second answer to the same question.
      const cancelled = await cancelOpenResponses(manager, projectId, ticket.id, 'an agent answered the ticket');
      return { action: 'silent', reason: cancelled > 0 ? `an agent answered; ${cancelled} pending AI reply cancelled` : null };
    }
    if (!decision.answer) {
      if (decision.handOff) await this.loopBreaker.handOff(manager, projectId, ticket.id, decision.reason, { announce: true });
      return { action: 'silent', reason: message.direction === 'inbound' ? decision.reason : null };
    }
    // A human holds the ticket, or it is closed: silent. Not remembered here: the ticket.updated that made it
    // needs_human is (TicketUpdatedController), in order with the one that gives it back, which this event may trail.
    if (isHumanStatus(ticket.status)) return { action: 'silent', reason: HANDED_OFF_REASON };
    if (ticket.status === 'closed') return { action: 'silent', reason: 'the ticket is closed' };
    // decideAnswer answers only with settings at hand. No advisory lock here (serialize: false): a batch goes on to
    // lock several tickets' pending responses, which proposing transactions hold while they wait for that lock.
    const verdict = await this.loopBreaker.check(manager, {
      projectId,
      ticketId: ticket.id,
      customerAddress,
      safety: channelSafetyOf(settings),
      serialize: false,
    });
    if (!verdict.answer) return { action: 'silent', reason: verdict.reason };
    return this.scheduler.schedule(manager, { projectId, ticketId: ticket.id, messageIds: [message.id], delay: settings!.responseDelay, customerAddress });
  }

  private logOutcome({ ticket, message }: ArrivedMessage, outcome: IntakeOutcome): void {
    switch (outcome.action) {
      case 'duplicate':
        return;
      case 'silent':
        if (outcome.reason) this.logger.log(`Message ${message.id} of ticket ${ticket.id} gets no reply: ${outcome.reason}`);
        return;
      case 'scheduled':
        this.logger.log(`Reply ${outcome.responseId} to ticket ${ticket.id} scheduled in ${outcome.delaySeconds} s`);
        return;
      case 'joined':
        this.logger.log(`Message ${message.id} joins reply ${outcome.responseId} of ticket ${ticket.id}`);
    }
  }
}

/** Whom a reply goes to: the ticket's customer (Reply-To or From of its first mail), else the sender. */
function customerAddressOf(ticket: TicketView, message: TicketMessageView): string {
  return canonicalAddress(ticket.customer?.address) || canonicalAddress(message.from?.address);
}
