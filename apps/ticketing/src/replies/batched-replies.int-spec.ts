import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  ReplyProposed,
  type EventEnvelope,
  type MailSendRequestedPayload,
  type ReplyProposedPayload,
  type TicketMessageCreatedPayload,
  type TicketUpdatedPayload,
} from '@ensoras/contracts';
import { EnvelopesOf, PermanentEventError } from '@ensoras/messaging';
import { eventually } from '@ensoras/testing';
import { TicketStatusService } from '../handoff/ticket-status.service.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { ANNA, BOB, CAROL, DAVE, SUPPORT, TicketingHarness } from '../test-support/ticketing-harness.js';
import { customerTicket, proposal, published, transactionsThatWrote, type CustomerTicket } from '../test-support/outgoing-batches-harness.js';
import { ReplyProposedController } from './reply-proposed.controller.js';

/** reply.proposed handled in batches, called as the batch transport calls the handler (and once through it). */
const SEVERAL = 'p-replies-several';
const REPEATED = 'p-replies-repeated';
const SAME_TICKET = 'p-replies-same-ticket';
const OUTCOMES = 'p-replies-outcomes';
const FAILING = 'p-replies-failing';
const QUEUED = 'p-replies-queued';
const harness = new TicketingHarness();
let controller: ReplyProposedController;

/** What the transport does with a batch: the controller's pipe checks each envelope, then the controller runs. */
async function handle(envelopes: Array<EventEnvelope<ReplyProposedPayload>>): Promise<void> {
  await controller.onReplyProposed(new EnvelopesOf(ReplyProposed).transform(envelopes));
}

beforeAll(async () => {
  await harness.setUp([SEVERAL, REPEATED, SAME_TICKET, OUTCOMES, FAILING, QUEUED].map((projectId) => ({ projectId })));
  controller = harness.app.get(ReplyProposedController);
});

afterAll(async () => {
  await harness.tearDown();
});

type TicketEventPayload = Partial<TicketMessageCreatedPayload & TicketUpdatedPayload>;

/** The outgoing messages of a ticket as a user reads them: `<author>: <text>`, oldest first. */
async function replies(projectId: string, ticketId: string): Promise<string[]> {
  const detail = await harness.ticketDetail(projectId, ticketId);
  return detail.messages.filter((m) => m.direction === 'outbound').map((m) => `${m.author}: ${m.text}`);
}

/** The texts of the project's send requests, in the order mail-outbound gets them. */
async function sendRequests(projectId: string): Promise<string[]> {
  return (await published<MailSendRequestedPayload>(harness, 'MAIL', `mail.${projectId}.send.requested`)).map((e) => e.payload.text);
}

/** The project's ticket events after each ticket's opening pair: [event, ticket, messageCount, message text or changes]. */
async function replyEvents(projectId: string, tickets: readonly CustomerTicket[]) {
  const events = await published<TicketEventPayload>(harness, 'TICKETS', `ticket.${projectId}.>`);
  const name = (ticketId: string | undefined) => tickets.findIndex((t) => t.ticketId === ticketId);
  return events
    .slice(2 * tickets.length)
    .map(({ type, payload }) => [type, name(payload.ticket?.id), payload.ticket?.messageCount, payload.message?.text ?? payload.changes]);
}

describe('ticketing: a batch of reply.proposed', () => {
  it('records one reply per ticket, answers each customer, and requests each sending once, in the order proposed', async () => {
    const tickets = [
      await customerTicket(harness, SEVERAL, ANNA, 'Broken lamp'),
      await customerTicket(harness, SEVERAL, BOB, 'Invoice missing'),
      await customerTicket(harness, SEVERAL, CAROL, 'Wrong size'),
    ];
    await controller.onReplyProposed(tickets.map((t, i) => proposal(SEVERAL, t.ticketId, `Answer ${i}`, { answersMessageIds: [t.messageId] })));

    const outgoing: string[] = [];
    for (const [i, { ticketId, customer }] of tickets.entries()) {
      const detail = await harness.ticketDetail(SEVERAL, ticketId);
      expect(detail).toMatchObject({ status: 'answered', messageCount: 2 });
      const [received, reply] = detail.messages;
      expect(reply).toMatchObject({ direction: 'outbound', author: 'ai', text: `Answer ${i}`, from: SUPPORT, to: [customer], inReplyTo: received!.messageId, deliveryStatus: 'queued' });
      outgoing.push(reply!.id);
    }
    const requests = await published<MailSendRequestedPayload>(harness, 'MAIL', `mail.${SEVERAL}.send.requested`);
    expect(requests.map((e) => [e.payload.outboundMessageId, e.payload.ticketId, e.payload.text])).toEqual(tickets.map((t, i) => [outgoing[i], t.ticketId, `Answer ${i}`]));
    expect(await replyEvents(SEVERAL, tickets)).toEqual(
      [0, 1, 2].flatMap((i) => [
        ['ticket.message.created', i, 2, `Answer ${i}`],
        ['ticket.updated', i, 2, ['messageCount', 'status']],
      ]),
    );
    // The point of batching: the whole batch is one transaction (one commit), not one per reply.
    expect(await transactionsThatWrote(harness, outgoing)).toBe(1);
  });

  it('records a repeated proposal once, whether it was recorded before the batch or earlier in it', async () => {
    const first = await customerTicket(harness, REPEATED, ANNA, 'Asked once');
    const second = await customerTicket(harness, REPEATED, BOB, 'Asked twice');
    const before = proposal(REPEATED, first.ticketId, 'Recorded before');
    await controller.onReplyProposed([before]);

    const inBatch = proposal(REPEATED, second.ticketId, 'Recorded in the batch');
    // The responder retrying: another event, the same responseId.
    const retried = proposal(REPEATED, second.ticketId, 'The same reply, proposed again', { responseId: inBatch.payload.responseId });
    await controller.onReplyProposed([before, inBatch, inBatch, retried]);

    expect(await replies(REPEATED, first.ticketId)).toEqual(['ai: Recorded before']);
    expect(await replies(REPEATED, second.ticketId)).toEqual(['ai: Recorded in the batch']);
    expect((await harness.ticketDetail(REPEATED, second.ticketId)).messageCount).toBe(2);
    expect(await sendRequests(REPEATED)).toEqual(['Recorded before', 'Recorded in the batch']);
  });

  it('records replies to one ticket in one batch, all of them, in order, each counting the ones before it', async () => {
    const ticket = await customerTicket(harness, SAME_TICKET, CAROL, 'Three questions');
    await controller.onReplyProposed(['First part', 'Second part', 'Third part'].map((text) => proposal(SAME_TICKET, ticket.ticketId, text)));

    const detail = await harness.ticketDetail(SAME_TICKET, ticket.ticketId);
    expect(detail).toMatchObject({ status: 'answered', messageCount: 4 });
    expect(detail.messages.map((m) => m.text)).toEqual(['Hello there', 'First part', 'Second part', 'Third part']);
    expect(await sendRequests(SAME_TICKET)).toEqual(['First part', 'Second part', 'Third part']);
    expect(await replyEvents(SAME_TICKET, [ticket])).toEqual([
      ['ticket.message.created', 0, 2, 'First part'],
      ['ticket.updated', 0, 2, ['messageCount', 'status']],
      ['ticket.message.created', 0, 3, 'Second part'],
      ['ticket.updated', 0, 3, ['messageCount']],
      ['ticket.message.created', 0, 4, 'Third part'],
      ['ticket.updated', 0, 4, ['messageCount']],
    ]);
  });

  it('keeps an outcome no retry can change to its own proposal, and records the others of the batch', async () => {
    const open = await customerTicket(harness, OUTCOMES, ANNA, 'Open question');
    const later = await customerTicket(harness, OUTCOMES, BOB, 'Later question');
    const takenOver = await customerTicket(harness, OUTCOMES, CAROL, 'Taken over');
    await harness.app.get(TicketStatusService).handOff(OUTCOMES, takenOver.ticketId, 'agent', 'a human answers this one');
    const elsewhere = await customerTicket(harness, SEVERAL, DAVE, 'Another project');

    await controller.onReplyProposed([
      proposal(OUTCOMES, '00000000-0000-4000-8000-000000000000', 'To no ticket'),
      proposal(OUTCOMES, takenOver.ticketId, 'After the handoff'),
      proposal(OUTCOMES, open.ticketId, 'Answered'),
      proposal(OUTCOMES, 'not-a-ticket-id', 'To no ticket either'),
      proposal(OUTCOMES, elsewhere.ticketId, "To another project's ticket"),
      proposal(OUTCOMES, later.ticketId, 'Answered too'),
    ]);

    expect(await replies(OUTCOMES, open.ticketId)).toEqual(['ai: Answered']);
    expect(await replies(OUTCOMES, later.ticketId)).toEqual(['ai: Answered too']);
    expect(await replies(OUTCOMES, takenOver.ticketId)).toEqual([]);
    expect(await replies(SEVERAL, elsewhere.ticketId)).toEqual([]);
    expect(await sendRequests(OUTCOMES)).toEqual(['Answered', 'Answered too']);
  });

  it('records nothing of a batch that fails, so that its proposals can be handled again one by one', async () => {
    const first = await customerTicket(harness, FAILING, ANNA, 'Before a malformed proposal');
    const second = await customerTicket(harness, FAILING, BOB, 'Before a proposal PostgreSQL refuses');
    const malformed = proposal(FAILING, first.ticketId, 'no text');
    const withoutText = { ...malformed, payload: { ...malformed.payload, text: 42 } } as unknown as EventEnvelope<ReplyProposedPayload>;
    const good = proposal(FAILING, first.ticketId, 'Good reply');
    await expect(handle([good, withoutText])).rejects.toThrow(PermanentEventError);
    await expect(handle([good, withoutText])).rejects.toThrow('reply.proposed v1 is invalid: payload.text: must be string');

    // PostgreSQL stores no NUL character: the second reply's insert fails after the first was written.
    const goodToo = proposal(FAILING, second.ticketId, 'Good reply too');
    const refused = proposal(FAILING, second.ticketId, 'Refused \u0000 reply');
    await expect(handle([goodToo, refused])).rejects.toThrow(/invalid byte sequence/);
    expect(await replies(FAILING, first.ticketId)).toEqual([]);
    expect(await replies(FAILING, second.ticketId)).toEqual([]);
    expect((await harness.ticketDetail(FAILING, second.ticketId)).status).toBe('open');

    // What the transport then does: each event again, alone.
    for (const envelope of [good, withoutText, goodToo, refused]) await handle([envelope]).catch(() => undefined);
    expect(await replies(FAILING, first.ticketId)).toEqual(['ai: Good reply']);
    expect(await replies(FAILING, second.ticketId)).toEqual(['ai: Good reply too']);
    expect(await sendRequests(FAILING)).toEqual(['Good reply', 'Good reply too']);
  });

  it('gets the proposals that queued up behind a busy one from the transport as one batch', async () => {
    const tickets: CustomerTicket[] = [];
    for (const customer of [ANNA, BOB, CAROL, DAVE, ANNA, BOB]) tickets.push(await customerTicket(harness, QUEUED, customer, `Queued ${tickets.length}`));
    const dataSource = harness.app.get(DataSource);
    const jsm = await jetstreamManager(harness.client);
    const consumer = async () => {
      for await (const info of jsm.consumers.list('REPLIES')) if (info.config.filter_subject === ReplyProposed.anyProject) return info;
      throw new Error('ticketing has no consumer of reply.proposed');
    };

    // Someone holds the first ticket: its reply waits in its transaction, and the others queue up behind it.
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.manager.findOneOrFail(Ticket, { where: { id: tickets[0]!.ticketId }, lock: { mode: 'pessimistic_write' } });
      for (const [i, { ticketId }] of tickets.entries()) {
        await harness.publish(ReplyProposed, QUEUED, proposal(QUEUED, ticketId, `Queued answer ${i}`).payload);
      }
      await eventually(async () => {
        const { num_pending, num_ack_pending } = await consumer();
        return num_pending === 0 && num_ack_pending === tickets.length;
      }, { message: 'the proposals did not all reach ticketing' });
      await holder.commitTransaction();
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }

    const outgoing = await eventually(async () => {
      const details = await Promise.all(tickets.map((t) => harness.ticketDetail(QUEUED, t.ticketId)));
      const recorded = details.map((d) => d.messages.find((m) => m.direction === 'outbound'));
      return recorded.every((m) => m !== undefined) && recorded.map((m) => m.id);
    }, { message: 'not every queued proposal was recorded' });
    expect(await sendRequests(QUEUED)).toEqual(tickets.map((_, i) => `Queued answer ${i}`));
    expect(await transactionsThatWrote(harness, outgoing.slice(1))).toBe(1);
  });
});
