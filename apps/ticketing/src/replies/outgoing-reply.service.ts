import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { MailAddress, MessageAuthor, TicketMessageView } from '@ensoras/contracts';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import { canonicalAddress, generateMessageId, personalName, replySubject, sameAddress, sanitizeMailHtml } from '@ensoras/mail';
import { insertOrRetry } from '../tickets/concurrent-insert.js';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { mailSendRequested, ticketMessageCreated, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { toTicketMessageView } from '../tickets/ticket-views.js';
import { IncreasingClock } from '../tickets/increasing-clock.js';
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
}

export type OutgoingReplyResult =
  | { outcome: 'recorded'; message: TicketMessageView }
  | { outcome: 'duplicate' }
  | { outcome: 'ticket-not-found' }
  /** An AI reply for a ticket a human has taken over (it crossed the handoff): never sent. */
  | { outcome: 'handed-off' }
  | { outcome: 'no-identity' }
  | { outcome: 'no-recipient' };

/**
 * Records an outgoing reply before anything is sent: the message with the Message-ID it will carry (on the channel's
 * domain), the ticket marked answered, and the send request for mail-outbound, all in one transaction (one per batch
 * of proposals). That the Message-ID is known here first is what lets the customer's answer find its ticket.
 */
@Injectable()
export class OutgoingReplyService {
  private readonly logger = new Logger(OutgoingReplyService.name);

  constructor(
    private readonly dataSource: DataSource,
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
      const recorded = await this.dataSource.transaction(async (m) => {
        const outcomes: OutgoingReplyResult[] = [];
        for (const position of toRecord) outcomes.push(await this.recordIn(m, replies[position]!, clock));
        return outcomes;
      });
      for (const [index, position] of toRecord.entries()) results[position] = recorded[index]!;
    }

    if (results.some((result) => result.outcome === 'recorded')) this.outbox.publishSoon();
    for (const [position, result] of results.entries()) {
      const { author, ticketId } = replies[position]!;
      if (result.outcome === 'recorded') this.logger.log(`Reply ${result.message.messageId} (${author}) recorded on ticket ${ticketId}`);
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
    if (reply.author === 'ai' && ticket.status === 'handed_off') return { outcome: 'handed-off' };
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
      deliveryStatus: 'queued',
      deliveryNote: null,
      kind: 'normal',
      kindReasons: [],
      responseId: reply.responseId,
      rawObjectKey: null,
      createdAt: now,
    });
    await insertOrRetry(m, TicketMessage, message, `response ${reply.responseId} is being recorded concurrently`);
    // Our Message-ID joins the threading index, so the customer's answer (In-Reply-To it) finds this ticket.
    await m
      .createQueryBuilder()
      .insert()
      .into(ThreadReference)
      .values({ projectId: ticket.projectId, messageId: message.messageId, ticketId: ticket.id, createdAt: now })
      .orIgnore()
      .execute();

    const changes = ticket.status === 'answered' ? ['messageCount'] : ['messageCount', 'status'];
    ticket.status = 'answered';
    ticket.messageCount += 1;
    ticket.updatedAt = now;
    await m.update(Ticket, { id: ticket.id }, { status: ticket.status, messageCount: ticket.messageCount, updatedAt: now });

    await this.outbox.add(
      m,
      ticketMessageCreated(ticket, message),
      ticketUpdated(ticket, changes),
      mailSendRequested(ticket, message, reply.author),
    );
    return { outcome: 'recorded', message: toTicketMessageView(message) };
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
function safeHtml(html: string | null): string | null {
  if (html === null) return null;
  const sanitized = sanitizeMailHtml(html, []).trim();
  return sanitized === '' ? null : sanitized;
}
