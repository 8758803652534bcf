/**
 * What the specs of batched replies and delivery reports share: tickets opened by a customer mail, proposals as the
 * responder publishes them, the events as published, and how many transactions wrote a set of messages.
 * Not part of the build (tsconfig.build.json).
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createEnvelope, MailReceived, ReplyProposed, type EventEnvelope, type MailAddress, type ReplyProposedPayload } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { eventually } from '@ensoras/testing';
import { InboundMailService } from '../inbound/inbound-mail.service.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { mailReceivedPayload, type TicketingHarness } from './ticketing-harness.js';

export interface CustomerTicket {
  ticketId: string;
  /** The customer's message (ticketing's id), which a reply answers. */
  messageId: string;
  customer: MailAddress;
}

let uid = 0;

/** A ticket opened by one mail of the customer, recorded as mail.received would have it. */
export async function customerTicket(harness: TicketingHarness, projectId: string, customer: MailAddress, subject: string): Promise<CustomerTicket> {
  uid++;
  const mail = createEnvelope(MailReceived, projectId, mailReceivedPayload(projectId, uid, { from: customer, subject }));
  const outcome = await harness.app.get(InboundMailService).receive(mail);
  if (outcome.outcome !== 'recorded') throw new Error(`the mail opened no ticket: ${JSON.stringify(outcome)}`);
  return { ticketId: outcome.ticketId, messageId: outcome.messageId, customer };
}

/** reply.proposed as the responder publishes it: an AI reply with a fresh responseId, unless told otherwise. */
export function proposal(projectId: string, ticketId: string, text: string, overrides: Partial<ReplyProposedPayload> = {}): EventEnvelope<ReplyProposedPayload> {
  return createEnvelope(ReplyProposed, projectId, { responseId: randomUUID(), ticketId, answersMessageIds: [], text, html: null, author: 'ai', ...overrides });
}

/** The events on the stream matching the filter, in stream order, once the outbox has published everything. */
export async function published<T>(harness: TicketingHarness, stream: string, filter: string): Promise<Array<EventEnvelope<T>>> {
  await eventually(async () => (await harness.app.get(Outbox).stats()).pending === 0, { message: 'the outbox did not publish everything' });
  return (await harness.readAll<T>(stream, filter)).map((event) => event.envelope);
}

/** How many transactions wrote these messages as they are now: PostgreSQL stamps each row version with its writer. */
export async function transactionsThatWrote(harness: TicketingHarness, messageIds: readonly string[]): Promise<number> {
  const writers = await harness.app
    .get(DataSource)
    .createQueryBuilder(TicketMessage, 'm')
    .select('DISTINCT CAST(m.xmin AS text)', 'writer')
    .where('m.id IN (:...messageIds)', { messageIds })
    .getRawMany<{ writer: string }>();
  return writers.length;
}
