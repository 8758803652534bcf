import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvelope,
  MailReceived,
  type EventEnvelope,
  type MailAddress,
  type MailReceivedPayload,
  type TicketMessageCreatedPayload,
  type TicketUpdatedPayload,
} from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { eventually } from '@ensoras/testing';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { ANNA, BOB, CAROL, SUPPORT, TicketingHarness, mailReceivedPayload } from '../test-support/ticketing-harness.js';
import type { UnattachedMailPage } from '@ensoras/contracts';
import { InboundMailService, type InboundOutcome } from './inbound-mail.service.js';

/** Received mail handled in batches (receiveMany), called as the batch transport calls it. */
const BURST = 'p-burst';
const BATCHED = 'p-batched';
const ONE_BY_ONE = 'p-one-by-one';
const MIXED_A = 'p-mixed-a';
const MIXED_B = 'p-mixed-b';
const CONFLICT = 'p-conflict';
const HISTORY = 'p-history';
const DAEMON: MailAddress = { address: 'MAILER-DAEMON@mx.customer.example', name: 'Mail Delivery System' };
const harness = new TicketingHarness();
let inbound: InboundMailService;

beforeAll(async () => {
  await harness.setUp([BURST, BATCHED, ONE_BY_ONE, MIXED_A, MIXED_B, CONFLICT, HISTORY].map((projectId) => ({ projectId })));
  inbound = harness.app.get(InboundMailService);
});

afterAll(async () => {
  await harness.tearDown();
});

let uid = 0;

/** A mail.received envelope as mail-ingest would publish it. */
function received(projectId: string, overrides: Partial<MailReceivedPayload>): EventEnvelope<MailReceivedPayload> {
  uid++;
  return createEnvelope(MailReceived, projectId, mailReceivedPayload(projectId, uid, overrides));
}

/** The same mail imported again (another mailbox UID, another event). */
function again(envelope: EventEnvelope<MailReceivedPayload>): EventEnvelope<MailReceivedPayload> {
  return received(envelope.projectId, { ...envelope.payload, source: { ...envelope.payload.source, uid: envelope.payload.source.uid + 10_000 } });
}

const newId = (name: string) => `<${name}-${randomUUID()}@customer.example>`;

function recordedTicket(outcome: InboundOutcome | undefined): string {
  if (outcome?.outcome !== 'recorded') throw new Error(`expected a recorded mail, got ${JSON.stringify(outcome)}`);
  return outcome.ticketId;
}

/** How the mail was handled, without ids: `recorded <rule>`, `recorded create`, `duplicate` … */
function how(outcome: InboundOutcome): string {
  if (outcome.outcome !== 'recorded') return outcome.outcome;
  return `recorded ${outcome.decision.action === 'join' ? outcome.decision.rule : 'create'}${outcome.bounced ? ' bounced' : ''}`;
}

type TicketEventPayload = Partial<TicketMessageCreatedPayload & TicketUpdatedPayload>;

/** The project's ticket events as published, once the outbox has published everything. */
async function ticketEvents(projectId: string) {
  await eventually(async () => (await harness.app.get(Outbox).stats()).pending === 0, { message: 'the outbox did not publish everything' });
  return harness.readAll<TicketEventPayload>('TICKETS', `ticket.${projectId}.>`);
}

describe('ticketing: a batch of received mail', () => {
  it('threads mail of a burst on mail earlier in it, records each Message-ID once and announces each mail in order', async () => {
    // Stored before the batch: a customer mail with its ticket, and our own mail kept without one.
    const earlier = received(BURST, { messageId: newId('earlier'), subject: 'Earlier question', from: CAROL });
    expect(how(await inbound.receive(earlier))).toBe('recorded create');
    const own = received(BURST, { messageId: newId('own'), subject: 'Note to self', from: SUPPORT, classification: { kind: 'own', reasons: ['From: the channel address'] } });
    expect(await inbound.receive(own)).toEqual({ outcome: 'unattached', reason: 'own mail that continues no known ticket' });

    const lamp = received(BURST, { messageId: newId('lamp'), subject: 'Broken lamp', from: ANNA });
    const invoice = received(BURST, { messageId: newId('invoice'), subject: 'Invoice missing', from: BOB });
    const invoiceReply = received(BURST, { messageId: newId('invoice-reply'), subject: 'Re: Invoice missing', from: BOB, inReplyTo: invoice.payload.messageId });
    // No threading headers; the address in another case.
    const lampBySubject = received(BURST, { messageId: newId('lamp-subject'), subject: 'RE: Broken lamp', from: { address: 'Anna@Customer.Example', name: 'Anna' } });
    const withoutId = received(BURST, { messageId: '' });
    const outcomes = await inbound.receiveMany([lamp, invoice, invoiceReply, lampBySubject, again(lamp), again(earlier), again(own), withoutId]);

    expect(outcomes.map(how)).toEqual(['recorded create', 'recorded create', 'recorded in-reply-to', 'recorded subject', 'duplicate', 'duplicate', 'duplicate', 'ignored']);
    const lampTicket = recordedTicket(outcomes[0]);
    const invoiceTicket = recordedTicket(outcomes[1]);
    expect(lampTicket).not.toBe(invoiceTicket);
    expect(recordedTicket(outcomes[2])).toBe(invoiceTicket);
    expect(recordedTicket(outcomes[3])).toBe(lampTicket);

    const lampDetail = await harness.ticketDetail(BURST, lampTicket);
    expect(lampDetail).toMatchObject({ subject: 'Broken lamp', status: 'open', messageCount: 2, customer: { address: 'anna@customer.example' } });
    expect(lampDetail.messages.map((m) => m.messageId)).toEqual([lamp.payload.messageId, lampBySubject.payload.messageId]);
    const invoiceDetail = await harness.ticketDetail(BURST, invoiceTicket);
    expect(invoiceDetail).toMatchObject({ subject: 'Invoice missing', status: 'open', messageCount: 2, customer: { address: 'bob@other.example' } });
    expect(invoiceDetail.messages.map((m) => m.messageId)).toEqual([invoice.payload.messageId, invoiceReply.payload.messageId]);
    expect(await harness.allTickets(BURST)).toHaveLength(3);
    const unattached = await harness.json<UnattachedMailPage>(`/v1/projects/${BURST}/unattached-mail`);
    expect(unattached.items.map((item) => item.messageId)).toEqual([own.payload.messageId]);

    // After the earlier mail's two: each mail's events in the order of the mails, with the ticket as that mail left it.
    const name = (ticketId: string | undefined) => (ticketId === lampTicket ? 'lamp' : ticketId === invoiceTicket ? 'invoice' : ticketId);
    const events = (await ticketEvents(BURST)).map(({ subject, envelope: { payload } }) => [
      subject.slice(`ticket.${BURST}.`.length),
      name(payload.ticket?.id),
      payload.ticket?.messageCount,
      payload.message?.messageId ?? payload.changes ?? null,
    ]);
    expect(events.slice(2)).toEqual([
      ['created', 'lamp', 1, null],
      ['message.created', 'lamp', 1, lamp.payload.messageId],
      ['created', 'invoice', 1, null],
      ['message.created', 'invoice', 1, invoice.payload.messageId],
      ['message.created', 'invoice', 2, invoiceReply.payload.messageId],
      ['updated', 'invoice', 2, ['messageCount']],
      ['message.created', 'lamp', 2, lampBySubject.payload.messageId],
      ['updated', 'lamp', 2, ['messageCount']],
    ]);
  });

  it('comes to the same tickets, statuses, unattached mail and events as the same mails handled one by one', { timeout: 30_000 }, async () => {
    // In each project: a ticket that our (AI) reply answered. The reply's Message-ID is the project's own.
    const printer = newId('printer');
    const setUp = async (projectId: string) => {
      const ticket = recordedTicket(await inbound.receive(received(projectId, { messageId: printer, subject: 'Printer jammed', from: ANNA })));
      return harness.proposeAndWait(projectId, ticket, 'Please try turning it off and on again.');
    };
    const ids = Object.fromEntries(['away', 'followUp', 'bySubject', 'heater', 'heaterLater', 'unknownBounce', 'bobHeater', 'bobForward', 'ownAnswer', 'replyBounce'].map((n) => [n, newId(n)]));
    const mails = (projectId: string, ourReply: string): Array<EventEnvelope<MailReceivedPayload>> => {
      const heater = received(projectId, { messageId: ids.heater, subject: 'Heater broken', from: CAROL, references: [ids.heaterLater!] });
      return [
        // Machine mail joins and reopens nothing; the customer's answer reopens; then a reply by subject alone.
        received(projectId, { messageId: ids.away, subject: 'Automatic reply: Re: Printer jammed', inReplyTo: ourReply, classification: { kind: 'out-of-office', reasons: ['Auto-Submitted: auto-replied'] } }),
        received(projectId, { messageId: ids.followUp, subject: 'Re: Printer jammed', inReplyTo: ourReply, text: 'Still jammed.' }),
        received(projectId, { messageId: ids.bySubject, subject: 'Re: Printer jammed', text: 'Hello?' }),
        // A mail naming one that comes later in the batch, which then joins it (referenced-by).
        heater,
        received(projectId, { messageId: ids.heaterLater, subject: 'More about it', from: CAROL }),
        received(projectId, {
          messageId: ids.unknownBounce,
          subject: 'Undeliverable',
          from: DAEMON,
          classification: { kind: 'bounce', reasons: ['From: MAILER-DAEMON'] },
          bounce: { originalMessageId: '<never-ours@elsewhere.example>', recipient: 'x@y.example', status: '5.0.0', action: 'failed', diagnostic: null },
        }),
        again(heater),
        // Another customer's reply-prefixed subject opens a ticket of its own, which a later forward of theirs joins.
        received(projectId, { messageId: ids.bobHeater, subject: 'Re: Heater broken', from: BOB }),
        received(projectId, { messageId: ids.bobForward, subject: 'Fwd: Heater broken', from: BOB }),
        received(projectId, { messageId: ids.ownAnswer, subject: 'Re: Heater broken', from: SUPPORT, inReplyTo: ids.heater, classification: { kind: 'own', reasons: ['From: the channel address'] } }),
        received(projectId, {
          messageId: ids.replyBounce,
          subject: 'Undelivered Mail Returned to Sender',
          from: DAEMON,
          classification: { kind: 'bounce', reasons: ['multipart/report'] },
          bounce: { originalMessageId: ourReply, recipient: ANNA.address, status: '5.1.1', action: 'failed', diagnostic: 'User unknown' },
        }),
      ];
    };

    const batchReply = await setUp(BATCHED);
    const batched = await inbound.receiveMany(mails(BATCHED, batchReply.messageId));
    const singleReply = await setUp(ONE_BY_ONE);
    const single: InboundOutcome[] = [];
    for (const envelope of mails(ONE_BY_ONE, singleReply.messageId)) single.push(await inbound.receive(envelope));

    expect(batched.map(how)).toEqual([
      'recorded in-reply-to',
      'recorded in-reply-to',
      'recorded subject',
      'recorded create',
      'recorded referenced-by',
      'unattached',
      'duplicate',
      'recorded create',
      'recorded subject',
      'recorded in-reply-to',
      'recorded bounced-message bounced',
    ]);
    const batchedPicture = await picture(BATCHED, batched, batchReply.messageId);
    expect(batchedPicture).toEqual(await picture(ONE_BY_ONE, single, singleReply.messageId));
    expect(batchedPicture.tickets).toEqual([
      {
        subject: 'Heater broken',
        customer: BOB.address,
        status: 'open',
        messageCount: 2,
        messages: [`${ids.bobHeater} normal customer received`, `${ids.bobForward} normal customer received`],
      },
      {
        subject: 'Heater broken',
        customer: CAROL.address,
        status: 'open',
        messageCount: 3,
        messages: [`${ids.heater} normal customer received`, `${ids.heaterLater} normal customer received`, `${ids.ownAnswer} own agent received`],
      },
      {
        subject: 'Printer jammed',
        customer: ANNA.address.toLowerCase(),
        status: 'open',
        messageCount: 6,
        messages: [
          `${printer} normal customer received`,
          'our reply normal ai bounced',
          `${ids.away} out-of-office customer received`,
          `${ids.followUp} normal customer received`,
          `${ids.bySubject} normal customer received`,
          `${ids.replyBounce} bounce customer received`,
        ],
      },
    ]);
    // The out-of-office left the ticket answered; the customer's answer reopened it; the bounce marked our reply.
    expect(batchedPicture.events.filter((event) => event[0] === 'updated' && event[1] === 2).map((event) => event.slice(2))).toEqual([
      [2, 'answered', ['messageCount', 'status'], null],
      [3, 'answered', ['messageCount'], null],
      [4, 'open', ['messageCount', 'status'], null],
      [5, 'open', ['messageCount'], null],
      [6, 'open', ['messageCount', 'message.deliveryStatus'], 'our reply'],
    ]);
  });

  it('keeps the mails of two projects in one batch apart, each in its order', async () => {
    const shared = newId('shared');
    const batch = [
      received(MIXED_A, { messageId: shared, subject: 'Order 1', from: ANNA }),
      received(MIXED_B, { messageId: shared, subject: 'Order 1', from: ANNA }),
      received(MIXED_B, { messageId: newId('b-reply'), subject: 'Re: Order 1', from: ANNA, inReplyTo: shared }),
      received(MIXED_A, { messageId: newId('a-subject'), subject: 'Re: Order 1', from: ANNA }),
      received(MIXED_A, { messageId: shared, subject: 'Order 1', from: ANNA }),
    ];
    const outcomes = await inbound.receiveMany(batch);
    expect(outcomes.map(how)).toEqual(['recorded create', 'recorded create', 'recorded in-reply-to', 'recorded subject', 'duplicate']);
    const [inA, inB] = [recordedTicket(outcomes[0]), recordedTicket(outcomes[1])];
    expect(inA).not.toBe(inB);
    expect(recordedTicket(outcomes[2])).toBe(inB);
    expect(recordedTicket(outcomes[3])).toBe(inA);
    for (const [projectId, ticketId, second] of [[MIXED_A, inA, batch[3]!], [MIXED_B, inB, batch[2]!]] as const) {
      const detail = await harness.ticketDetail(projectId, ticketId);
      expect(detail.messageCount).toBe(2);
      expect(detail.messages.map((m) => m.messageId)).toEqual([shared, second.payload.messageId]);
      expect((await ticketEvents(projectId)).map((e) => e.subject.slice(`ticket.${projectId}.`.length))).toEqual(['created', 'message.created', 'message.created', 'updated']);
    }
  });

  it('records nothing of a batch when another replica records one of its Message-IDs meanwhile, and throws to be retried', async () => {
    const dataSource = harness.app.get(DataSource);
    const contested = newId('contested');
    const other = received(CONFLICT, { messageId: newId('other'), subject: 'Unrelated', from: BOB });
    const contestedMail = received(CONFLICT, { messageId: contested, subject: 'Contested', from: ANNA });

    // "Another replica": has recorded the contested mail but not committed yet, so the batch does not see it.
    const replica = dataSource.createQueryRunner();
    await replica.connect();
    await replica.startTransaction();
    try {
      const now = new Date();
      const ticketId = randomUUID();
      await replica.manager.insert(Ticket, { id: ticketId, projectId: CONFLICT, subject: 'Contested', subjectKey: null, subjectThreadHash: null, customerAddress: ANNA.address, customerName: '', status: 'open', messageCount: 1, createdAt: now, updatedAt: now });
      await replica.manager.insert(TicketMessage, { id: randomUUID(), ticketId, projectId: CONFLICT, direction: 'inbound', author: 'customer', subject: 'Contested', text: '', newText: '', messageId: contested, deliveryStatus: 'received', kind: 'normal', createdAt: now });

      const batch = inbound.receiveMany([other, contestedMail]).then(
        () => null,
        (error: unknown) => error,
      );
      // The batch's insert of the contested Message-ID waits for the other transaction.
      await eventually(async () => {
        const [waiting] = await dataSource.query<Array<{ count: number }>>(
          `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting!.count > 0;
      }, { message: 'the batch did not wait for the other transaction' });
      await replica.commitTransaction();
      const error = await batch;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('one of 2 Message-IDs is being recorded concurrently; retrying');
    } finally {
      if (replica.isTransactionActive) await replica.rollbackTransaction();
      await replica.release();
    }

    // Rolled back: the other mail has no ticket. Its retry records it and finds the contested one recorded.
    expect((await harness.allTickets(CONFLICT)).map((t) => t.subject)).toEqual(['Contested']);
    expect((await inbound.receiveMany([other, contestedMail])).map(how)).toEqual(['recorded create', 'duplicate']);
    expect((await harness.allTickets(CONFLICT)).map((t) => t.subject).sort()).toEqual(['Contested', 'Unrelated']);
  });

  it("marks the events of a mailbox's history for the backlog lanes downstream, and only those", async () => {
    const first = { ...received(HISTORY, { messageId: newId('old'), subject: 'Old question' }), backlog: true as const };
    const reply = { ...received(HISTORY, { messageId: newId('old-reply'), inReplyTo: first.payload.messageId, subject: 'Re: Old question' }), backlog: true as const };
    const fresh = received(HISTORY, { from: BOB, messageId: newId('new'), subject: 'New question' });
    await inbound.receiveMany([first, reply, fresh]);

    const events = await ticketEvents(HISTORY);
    const marked = (event: (typeof events)[number]) => `${event.envelope.type} ${event.envelope.payload.ticket?.subject}: ${event.envelope.backlog === true} ${event.backlog}`;
    expect(events.map(marked)).toEqual([
      'ticket.created Old question: true true',
      'ticket.message.created Old question: true true',
      'ticket.message.created Old question: true true',
      'ticket.updated Old question: true true',
      'ticket.created New question: false false',
      'ticket.message.created New question: false false',
    ]);
  });
});

/**
 * What a user sees of a project, comparable across projects: tickets sorted by subject and customer and named by that
 * position, our reply (whose Message-ID differs per project) as `our reply`.
 */
async function picture(projectId: string, outcomes: InboundOutcome[], ourReply: string) {
  const details = (await harness.allTickets(projectId)).sort((a, b) => `${a.subject}\n${a.customer.address}`.localeCompare(`${b.subject}\n${b.customer.address}`));
  const ticketName = (ticketId: string | undefined) => details.findIndex((t) => t.id === ticketId);
  const messageName = (messageId: string | undefined) => (messageId === ourReply ? 'our reply' : (messageId ?? null));
  return {
    outcomes: outcomes.map((outcome) => {
      if (outcome.outcome !== 'recorded') return outcome;
      const { decision } = outcome;
      return { ...outcome, ticketId: ticketName(outcome.ticketId), messageId: 'a message', decision: decision.action === 'join' ? { ...decision, ticketId: ticketName(decision.ticketId) } : decision };
    }),
    tickets: details.map((ticket) => ({
      subject: ticket.subject,
      customer: ticket.customer.address,
      status: ticket.status,
      messageCount: ticket.messageCount,
      messages: ticket.messages.map((m) => `${messageName(m.messageId)} ${m.kind} ${m.author} ${m.deliveryStatus}`),
    })),
    unattached: (await harness.json<UnattachedMailPage>(`/v1/projects/${projectId}/unattached-mail`)).items.map((item) => `${item.messageId} ${item.reason}`),
    events: (await ticketEvents(projectId)).map(({ subject, envelope: { payload } }) => [
      subject.slice(`ticket.${projectId}.`.length),
      ticketName(payload.ticket?.id),
      payload.ticket?.messageCount,
      payload.ticket?.status,
      payload.changes ?? null,
      messageName(payload.message?.messageId),
    ]),
  };
}
