import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { In, type EntityManager } from 'typeorm';
import type { MailAddress, MessageAuthor, ReplySource, TicketMessageView } from '@ensoras/contracts';
import { ChannelSettingsReplica, logContext, Outbox } from '@ensoras/messaging';
import { canonicalAddress, generateMessageId, personalName, replySubject, sameAddress, sanitizeMailHtml } from '@ensoras/mail';
import { insertOrRetry } from '../tickets/concurrent-insert.js';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { mailSendRequested, ticketDraftCreated, ticketMessageCreated, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { toTicketMessageView } from '../tickets/ticket-views.js';
import { IncreasingClock } from '../tickets/increasing-clock.js';
import { ticketTransition } from '../tickets/ticket-transitions.js';
import { replyReferences } from './reply-references.js';

export interface OutgoingReply {
  projectId: string;
  ticketId: string;
  /** One outgoing message per responseId, however often it is proposed. */
  responseId: string;
  /** Ticket message ids being answered; the last one found is replied to. Empty: the latest customer message. */
  answersMessageIds: string[];
  text: string;
  html: string | null;
  author: Extract<MessageAuthor, 'ai' | 'agent'>;
  /** Kept as a draft for an agent (the channel's draft mode) instead of sent. */
  draft?: boolean;
  /** The knowledge articles the reply was written from; stored with the message. */
  sources?: ReplySource[];
}

export type OutgoingReplyResult =
  /** Recorded and queued for sending. */
  | { outcome: 'recorded'; message: TicketMessageView }
  /** Recorded as a draft: nothing is sent until an agent sends it. */
  | { outcome: 'drafted'; message: TicketMessageView }
  | { outcome: 'duplicate' }
  | { outcome: 'ticket-not-found' }
  /**
   * An AI reply or draft for a ticket a human holds (`needs_human`: it crossed the handoff) or that is `closed`:
   * never recorded.
   */
  | { outcome: 'not-for-ai'; reason: string }
  | { outcome: 'no-identity' }
  | { outcome: 'no-recipient' };

/**
 * Records an outgoing reply before anything is sent: the message with the Message-ID it will carry (on the channel's
 * domain), the ticket marked answered, and the send request for mail-outbound, all in one transaction (one per batch
 * of proposals). That the Message-ID is known here first is what lets the customer's answer find its ticket. A draft
 * (draft mode) is recorded the same way but not queued: `queueForSending` does that when an agent sends it.
 */
@Injectable()
export class OutgoingReplyService {
  private readonly logger = new Logger(OutgoingReplyService.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly channels: ChannelSettingsReplica,
  ) {}

  async record(reply: OutgoingReply): Promise<OutgoingReplyResult> {
    return (await this.recordMany([reply]))[0]!;
  }

  /**
   * One result per reply, in their order, each decided as if the replies before it had been recorded one by one
   * (a repeated responseId is a duplicate, a second reply to a ticket sees the first). All of them are recorded in
   * one transaction or, when it throws, none: the caller then retries them. A burst of proposals thus costs one
   * commit, not one per reply.
   */
  async recordMany(replies: readonly OutgoingReply[]): Promise<OutgoingReplyResult[]> {
    const results = new Array<OutgoingReplyResult>(replies.length);
    const toRecord: number[] = [];
    for (const [position, reply] of replies.entries()) {
      // Not an id any ticket can have: not worth a query.
      if (isUUID(reply.ticketId)) toRecord.push(position);
      else results[position] = { outcome: 'ticket-not-found' };
    }
    if (toRecord.length > 0) {
      await this.channels.whenReady();
      const clock = new IncreasingClock();
      const recorded = await this.outbox.transaction(async (m) => {
        const outcomes: OutgoingReplyResult[] = [];
        for (const position of toRecord) outcomes.push(await this.recordIn(m, replies[position]!, clock));
        return outcomes;
      });
      for (const [index, position] of toRecord.entries()) results[position] = recorded[index]!;
    }

    for (const [position, result] of results.entries()) {
      const { author, ticketId } = replies[position]!;
      if (result.outcome !== 'recorded' && result.outcome !== 'drafted') continue;
      // One line per reply of a batch: its ticket and message go on this line only.
      logContext.run({ ticketId, messageId: result.message.id }, () =>
        this.logger.log(result.outcome === 'recorded'
          ? `Reply ${result.message.messageId} (${author}) recorded on ticket ${ticketId}`
          : `Draft ${result.message.id} (${author}) kept on ticket ${ticketId} for an agent`),
      );
    }
    return results;
  }

  /** One reply, inside the batch's transaction; every outcome but `recorded` leaves the database as it was. */
  private async recordIn(m: EntityManager, reply: OutgoingReply, clock: IncreasingClock): Promise<OutgoingReplyResult> {
    if (await m.existsBy(TicketMessage, { responseId: reply.responseId })) return { outcome: 'duplicate' };
    const ticket = await m.findOne(Ticket, {
      where: { id: reply.ticketId, projectId: reply.projectId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!ticket) return { outcome: 'ticket-not-found' };
    const transition = ticketTransition(ticket.status, reply.draft ? { type: 'draft-recorded' } : { type: 'reply-queued', by: reply.author });
    if (transition.outcome === 'refused') return { outcome: 'not-for-ai', reason: transition.reason };
    const identity = this.channels.get(reply.projectId)?.identity;
    if (!identity) return { outcome: 'no-identity' };
    const answered = await answeredMessage(m, ticket, reply.answersMessageIds);
    const recipient = answered && recipientOf(answered);
    if (!answered || !recipient) return { outcome: 'no-recipient' };

    const now = clock.now();
    const message = m.create(TicketMessage, {
      id: randomUUID(),
      ticketId: ticket.id,
      projectId: ticket.projectId,
      direction: 'outbound',
      author: reply.author,
      from: { address: identity.fromEmail, name: identity.fromName },
      to: [recipient],
      cc: [],
      replyTo: [],
      subject: replySubject(ticket.subject),
      text: reply.text,
      newText: reply.text,
      html: safeHtml(reply.html),
      attachments: [],
      note: null,
      date: null,
      messageId: generateMessageId(identity.fromEmail),
      inReplyTo: answered.messageId,
      references: replyReferences(answered),
      deliveryStatus: reply.draft ? 'draft' : 'queued',
      deliveryNote: null,
      kind: 'normal',
      kindReasons: [],
      responseId: reply.responseId,
      rawObjectKey: null,
      sources: reply.sources ?? [],
      createdAt: now,
    });
    await insertOrRetry(m, TicketMessage, message, `response ${reply.responseId} is being recorded concurrently`);
    if (reply.draft) {
      await this.keepDraft(m, ticket, message, now);
      return { outcome: 'drafted', message: toTicketMessageView(message) };
    }
    await this.queueForSending(m, ticket, message, reply.author, now);
    return { outcome: 'recorded', message: toTicketMessageView(message) };
  }

  /**
   * Sends a recorded outgoing message: its Message-ID joins the threading index, the ticket counts it and becomes
   * answered (ticketTransition; `by` is who decided that it goes out), and ticket.message.created, ticket.updated and
   * the send request for mail-outbound go into the outbox, inside the caller's transaction with the ticket locked.
   * The one way out for an AI reply, an agent's reply and a draft an agent sends alike.
   */
  async queueForSending(m: EntityManager, ticket: Ticket, message: TicketMessage, by: 'ai' | 'agent', now: Date): Promise<void> {
    // Our Message-ID joins the threading index, so the customer's answer (In-Reply-To it) finds this ticket.
    await m
      .createQueryBuilder()
      .insert()
      .into(ThreadReference)
      .values({ projectId: ticket.projectId, messageId: message.messageId, ticketId: ticket.id, createdAt: now })
      .orIgnore()
      .execute();

    const previousStatus = ticket.status;
    const transition = ticketTransition(ticket.status, { type: 'reply-queued', by });
    // Refused only for the AI, which the caller checked before recording anything.
    if (transition.outcome === 'refused') throw new Error(`A reply cannot be sent on ticket ${ticket.id}: ${transition.reason}`);
    const changes = transition.outcome === 'change' ? ['messageCount', 'status'] : ['messageCount'];
    if (transition.outcome === 'change') ticket.status = transition.status;
    ticket.messageCount += 1;
    ticket.updatedAt = now;
    await m.update(Ticket, { id: ticket.id }, { status: ticket.status, messageCount: ticket.messageCount, updatedAt: now });

    await this.outbox.add(
      m,
      ticketMessageCreated(ticket, message),
      ticketUpdated(ticket, changes, { previousStatus }),
      mailSendRequested(ticket, message, message.author === 'agent' ? 'agent' : 'ai'),
    );
  }

  /**
   * A draft is not part of the conversation yet: it joins no thread and counts no message until it is sent, and
   * announces itself with ticket.draft.created (no ticket.message.created: the AI must not read it as sent).
   */
  private async keepDraft(m: EntityManager, ticket: Ticket, draft: TicketMessage, now: Date): Promise<void> {
    const previousStatus = ticket.status;
    const transition = ticketTransition(ticket.status, { type: 'draft-recorded' });
    if (transition.outcome === 'change') {
      ticket.status = transition.status;
      ticket.updatedAt = now;
      await m.update(Ticket, { id: ticket.id }, { status: ticket.status, updatedAt: now });
    }
    await this.outbox.add(m, ticketDraftCreated(ticket, draft));
    if (transition.outcome === 'change') await this.outbox.add(m, ticketUpdated(ticket, ['status'], { previousStatus }));
  }
}

const MAX_ANSWERED_IDS_LOOKED_UP = 50;

/**
 * The customer message being answered: the last of `answersMessageIds` that is a received message of this ticket,
 * else the ticket's latest customer message.
 */
async function answeredMessage(m: EntityManager, ticket: Ticket, answersMessageIds: string[]): Promise<TicketMessage | null> {
  // The last one found wins, so the last few are enough; a query never binds more than that.
  const ids = answersMessageIds.filter((id) => isUUID(id)).slice(-MAX_ANSWERED_IDS_LOOKED_UP);
  if (ids.length > 0) {
    const found = await m.find(TicketMessage, { where: { id: In(ids), ticketId: ticket.id, direction: 'inbound' } });
    const byId = new Map(found.map((message) => [message.id, message]));
    const last = [...ids].reverse().find((id) => byId.has(id));
    if (last) return byId.get(last)!;
  }
  return m.findOne(TicketMessage, {
    where: { ticketId: ticket.id, direction: 'inbound', author: 'customer' },
    order: { createdAt: 'DESC', id: 'DESC' },
  });
}

/**
 * Where the customer wants answers: the Reply-To of their message, else its From. The name beside it only when it
 * reads like a person's and is the sender's own: a Reply-To names someone else, with words the sender chose.
 */
function recipientOf(message: TicketMessage): MailAddress | null {
  const replyTo = message.replyTo.find((a) => canonicalAddress(a.address) !== '');
  const chosen = replyTo ?? message.from;
  if (!chosen || canonicalAddress(chosen.address) === '') return null;
  const thirdParty = replyTo !== undefined && !sameAddress(replyTo.address, message.from?.address);
  return { address: chosen.address.trim(), name: thirdParty ? '' : personalName(chosen.name) };
}

/**
 * An agent's (or a proposal's) HTML goes into the customer's mail and the inbox UI: it is held to the same allow-list
 * as received HTML. Nothing left (only scripts, say) means no HTML: the text is sent.
 */
export function safeHtml(html: string | null): string | null {
  if (html === null) return null;
  const sanitized = sanitizeMailHtml(html, []).trim();
  return sanitized === '' ? null : sanitized;
}
