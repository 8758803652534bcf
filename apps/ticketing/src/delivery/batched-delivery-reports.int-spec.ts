import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvelope,
  MailFailed,
  MailSent,
  type EventEnvelope,
  type MailFailedPayload,
  type MailSentPayload,
  type TicketMessageView,
  type TicketUpdatedPayload,
} from '@ensoras/contracts';
import { OutgoingReplyService } from '../replies/outgoing-reply.service.js';
import { customerTicket, published, transactionsThatWrote, type CustomerTicket } from '../test-support/outgoing-batches-harness.js';
import { ANNA, BOB, CAROL, DAVE, TicketingHarness } from '../test-support/ticketing-harness.js';
import { DeliveryReportController } from './delivery-report.controller.js';

/** mail.sent and mail.failed handled in batches, called as the batch transport calls the handlers. */
const SENT = 'p-delivery-sent';
const FAILED = 'p-delivery-failed';
const ROLLED_BACK = 'p-delivery-rolled-back';
const UNKNOWN_MESSAGE = '00000000-0000-4000-8000-000000000000';
const harness = new TicketingHarness();
let controller: DeliveryReportController;

beforeAll(async () => {
  await harness.setUp([SENT, FAILED, ROLLED_BACK].map((projectId) => ({ projectId })));
  controller = harness.app.get(DeliveryReportController);
});

afterAll(async () => {
  await harness.tearDown();
});

/** Our reply on the ticket, recorded and queued for mail-outbound. */
async function replyOn(projectId: string, ticket: CustomerTicket, text: string): Promise<TicketMessageView> {
  const result = await harness.app.get(OutgoingReplyService).record({ projectId, ticketId: ticket.ticketId, responseId: randomUUID(), answersMessageIds: [], text, html: null, author: 'ai' });
  if (result.outcome !== 'recorded') throw new Error(`the reply was not recorded: ${result.outcome}`);
  return result.message;
}

function sent(projectId: string, outboundMessageId: string): EventEnvelope<MailSentPayload> {
  return createEnvelope(MailSent, projectId, { outboundMessageId, ticketId: '', messageId: '', sentAt: new Date().toISOString(), smtpResponse: '250 OK' });
}

function failed(projectId: string, outboundMessageId: string, permanent: boolean, reason = '550 Mailbox unavailable'): EventEnvelope<MailFailedPayload> {
  return createEnvelope(MailFailed, projectId, { outboundMessageId, ticketId: '', messageId: '', code: 'smtp_rejected', reason, permanent });
}

/** Each message's delivery as the inbox shows it: `<text>: <status>`. */
async function deliveries(projectId: string, tickets: readonly CustomerTicket[]): Promise<string[]> {
  const details = await Promise.all(tickets.map((t) => harness.ticketDetail(projectId, t.ticketId)));
  return details.flatMap((d) => d.messages.filter((m) => m.direction === 'outbound').map((m) => `${m.text}: ${m.deliveryStatus}`));
}

/** The project's delivery updates as published: [message text, its status, changes, ticket status]. */
async function deliveryUpdates(projectId: string) {
  const updates = await published<TicketUpdatedPayload>(harness, 'TICKETS', `ticket.${projectId}.updated`);
  return updates
    .filter(({ payload }) => payload.changes.includes('message.deliveryStatus'))
    .map(({ payload: { message, changes, ticket } }) => [message?.text, message?.deliveryStatus, changes, ticket.status]);
}

describe('ticketing: a batch of delivery reports', () => {
  it('marks each message of a batch of mail.sent sent, once, and ignores a report for an unknown message', async () => {
    const anna = await customerTicket(harness, SENT, ANNA, 'Where is my order?');
    const bob = await customerTicket(harness, SENT, BOB, 'Refund please');
    const toAnna = await replyOn(SENT, anna, 'It ships today.');
    const toBob = await replyOn(SENT, bob, 'Refunded.');
    const toBobAgain = await replyOn(SENT, bob, 'It takes three days.');

    await controller.onMailSent([
      sent(SENT, toAnna.id),
      sent(SENT, UNKNOWN_MESSAGE),
      sent(SENT, 'not-a-message-id'),
      sent(SENT, toBob.id),
      // mail-outbound reporting again (a redelivery): changes nothing.
      sent(SENT, toAnna.id),
      sent(SENT, toBobAgain.id),
    ]);

    expect(await deliveries(SENT, [anna, bob])).toEqual(['It ships today.: sent', 'Refunded.: sent', 'It takes three days.: sent']);
    expect(await deliveryUpdates(SENT)).toEqual([
      ['It ships today.', 'sent', ['message.deliveryStatus'], 'answered'],
      ['Refunded.', 'sent', ['message.deliveryStatus'], 'answered'],
      ['It takes three days.', 'sent', ['message.deliveryStatus'], 'answered'],
    ]);
    // The point of batching: the whole batch is one transaction (one commit), not one per report.
    expect(await transactionsThatWrote(harness, [toAnna.id, toBob.id, toBobAgain.id])).toBe(1);
  });

  it('settles a batch of mail.failed, each report seeing what the ones before it did to the ticket', async () => {
    const carol = await customerTicket(harness, FAILED, CAROL, 'Broken lamp');
    const dave = await customerTicket(harness, FAILED, DAVE, 'Late delivery');
    const anna = await customerTicket(harness, FAILED, ANNA, 'Thanks');
    const first = await replyOn(FAILED, carol, 'First answer to Carol');
    const second = await replyOn(FAILED, carol, 'Second answer to Carol');
    const toDave = await replyOn(FAILED, dave, 'Answer to Dave');
    const toAnna = await replyOn(FAILED, anna, 'Answer to Anna');
    await controller.onMailSent([sent(FAILED, toAnna.id)]);

    await controller.onMailFailed([
      failed(FAILED, first.id, true),
      failed(FAILED, UNKNOWN_MESSAGE, true),
      // Carol's ticket is a human's already (since the report before): nothing more to hand off.
      failed(FAILED, second.id, true),
      failed(FAILED, toDave.id, false, '451 Try again later'),
      // Late, after the mail went out: ignored.
      failed(FAILED, toAnna.id, true),
    ]);

    expect(await deliveries(FAILED, [carol, dave, anna])).toEqual([
      'First answer to Carol: failed',
      'Second answer to Carol: failed',
      'Answer to Dave: queued',
      'Answer to Anna: sent',
    ]);
    const carolsTicket = await harness.ticketDetail(FAILED, carol.ticketId);
    expect(carolsTicket).toMatchObject({ status: 'needs_human', handoffReason: 'Our reply was not delivered: smtp_rejected: 550 Mailbox unavailable' });
    const davesTicket = await harness.ticketDetail(FAILED, dave.ticketId);
    expect(davesTicket.status).toBe('answered');
    expect(davesTicket.messages.at(-1)!.deliveryNote).toBe('smtp_rejected: 451 Try again later (temporary; mail-outbound tries again)');
    expect(await deliveryUpdates(FAILED)).toEqual([
      ['Answer to Anna', 'sent', ['message.deliveryStatus'], 'answered'],
      ['First answer to Carol', 'failed', ['message.deliveryStatus', 'status', 'handoffReason'], 'needs_human'],
      ['Second answer to Carol', 'failed', ['message.deliveryStatus'], 'needs_human'],
      ['Answer to Dave', 'queued', ['message.deliveryStatus'], 'answered'],
    ]);
    expect(await transactionsThatWrote(harness, [first.id, second.id, toDave.id])).toBe(1);
  });

  it('applies nothing of a batch that fails, so that its reports can be handled again one by one', async () => {
    const ticket = await customerTicket(harness, ROLLED_BACK, ANNA, 'Two replies');
    const good = await replyOn(ROLLED_BACK, ticket, 'Good reply');
    const other = await replyOn(ROLLED_BACK, ticket, 'Other reply');
    const reported = failed(ROLLED_BACK, good.id, true);
    // PostgreSQL stores no NUL character: the second report's note fails after the first was written.
    const refused = failed(ROLLED_BACK, other.id, true, 'a NUL \u0000 in the reply');
    await expect(controller.onMailFailed([reported, refused])).rejects.toThrow(/invalid byte sequence/);
    expect(await deliveries(ROLLED_BACK, [ticket])).toEqual(['Good reply: queued', 'Other reply: queued']);
    expect((await harness.ticketDetail(ROLLED_BACK, ticket.ticketId)).status).toBe('answered');

    // What the transport then does: each event again, alone.
    await controller.onMailFailed([reported]);
    await expect(controller.onMailFailed([refused])).rejects.toThrow(/invalid byte sequence/);
    expect(await deliveries(ROLLED_BACK, [ticket])).toEqual(['Good reply: failed', 'Other reply: queued']);
    expect((await harness.ticketDetail(ROLLED_BACK, ticket.ticketId)).status).toBe('needs_human');
  });
});
