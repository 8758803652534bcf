import { Inject, Injectable, Logger } from '@nestjs/common';
import { channelSafetyOf, type EventEnvelope, type TicketMessageCreatedPayload, type TicketMessageView, type TicketView } from '@ensoras/contracts';
import { canonicalAddress } from '@ensoras/mail';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import { DataSource } from 'typeorm';
import { ConversationLog } from '../conversation/conversation-log.service.js';
import { HANDED_OFF_REASON, LoopBreaker } from '../loop-breaker/loop-breaker.service.js';
import { ANSWER_POLICY, decideAnswer, type AnswerPolicy } from './answerability.js';
import { cancelOpenResponses } from './open-responses.js';
import { ResponseScheduler, type ScheduleOutcome } from './response-scheduler.service.js';

type IntakeOutcome = { action: 'duplicate' } | { action: 'silent'; reason: string | null } | ScheduleOutcome;

/**
 * Each ticket message joins the conversation read model; a customer's message also schedules (or joins) the
 * ticket's pending response, in the same transaction, so a redelivered event neither records nor schedules twice.
 * Before scheduling, the loop breaker counts our recent replies: at a limit the ticket goes to a human instead.
 */
@Injectable()
export class TicketMessageIntake {
  private readonly logger = new Logger(TicketMessageIntake.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly conversation: ConversationLog,
    private readonly scheduler: ResponseScheduler,
    private readonly channels: ChannelSettingsReplica,
    private readonly loopBreaker: LoopBreaker,
    private readonly outbox: Outbox,
    @Inject(ANSWER_POLICY) private readonly policy: AnswerPolicy,
  ) {}

  async receive(envelope: EventEnvelope<TicketMessageCreatedPayload>): Promise<void> {
    const { projectId } = envelope;
    const ticket = envelope.payload?.ticket;
    const message = envelope.payload?.message;
    if (!projectId || !ticket?.id || !message?.id || !message.createdAt) {
      // Permanently malformed: retrying cannot fix it, and it must not block the stream.
      this.logger.error(`Ignoring ticket.message.created ${envelope.id}: ticket or message missing`);
      return;
    }
    await this.channels.whenReady();
    const settings = this.channels.get(projectId);
    const decision = decideAnswer(message, settings, this.policy);
    const customerAddress = customerAddressOf(ticket, message);

    const outcome = await this.dataSource.transaction(async (manager): Promise<IntakeOutcome> => {
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
      if (ticket.status === 'handed_off') {
        // Someone handed it over already; remembered, so that it stays silent when its status moves on.
        await this.loopBreaker.handOff(manager, projectId, ticket.id, HANDED_OFF_REASON, { announce: false });
        return { action: 'silent', reason: HANDED_OFF_REASON };
      }
      // decideAnswer answers only with settings at hand.
      const verdict = await this.loopBreaker.check(manager, {
        projectId,
        ticketId: ticket.id,
        customerAddress,
        safety: channelSafetyOf(settings),
        serialize: false,
      });
      if (!verdict.answer) return { action: 'silent', reason: verdict.reason };
      return this.scheduler.schedule(manager, { projectId, ticketId: ticket.id, messageIds: [message.id], delay: settings!.responseDelay, customerAddress });
    });

    switch (outcome.action) {
      case 'duplicate':
        return;
      case 'silent':
        // A handoff may have been written to the outbox.
        this.outbox.publishSoon();
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
