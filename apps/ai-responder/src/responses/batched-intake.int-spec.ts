import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEnvelope,
  STREAMS,
  TicketMessageCreated,
  type EventEnvelope,
  type TicketMessageCreatedPayload,
  type TicketMessageView,
} from '@ensoras/contracts';
import { consumerName } from '@ensoras/messaging';
import { eventually } from '@ensoras/testing';
import { LoopBreaker } from '../loop-breaker/loop-breaker.service.js';
import { ResponderHarness, SUPPORT, ticketMessage, type RunningApp } from '../test-support/ai-responder-harness.js';
import { TicketMessageIntake } from './ticket-message-intake.service.js';

type TicketMessageEnvelope = EventEnvelope<TicketMessageCreatedPayload>;

/** Due in ten minutes: nothing is proposed while a test looks at the pending responses. */
const LATER = { responseDelay: { minSeconds: 600, maxSeconds: 600 } };
const BATCHED = 'p-batched';
const ONE_BY_ONE = 'p-one-by-one';

/**
 * ticket.message.created taken in as batches (receiveMany, as the batch transport calls it) against a real
 * PostgreSQL: every event must come out exactly as if the events had been handled one by one.
 */
describe('ai-responder takes in a batch of ticket messages', () => {
  const harness = new ResponderHarness();
  let running: RunningApp;
  let intake: TicketMessageIntake;
  let database: DataSource;

  beforeAll(async () => {
    await harness.setUp();
    const oneReplyPerTicket = { ...LATER, safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 1, maxAiRepliesPerAddress: 10, loopWindowMinutes: 60 } };
    await Promise.all([
      ...['p-tickets', 'p-same-ticket', 'p-duplicates', 'p-rollback', 'p-transport', 'p-history'].map((projectId) => harness.putSettings(projectId, LATER)),
      harness.putSettings(BATCHED, oneReplyPerTicket),
      harness.putSettings(ONE_BY_ONE, oneReplyPerTicket),
    ]);
    running = await harness.start();
    intake = running.app.get(TicketMessageIntake);
    database = running.app.get(DataSource);
  });

  afterAll(async () => {
    await running?.close();
    await harness.tearDown();
  });

  /** The project's pending responses, open or not: what a reply will answer, and why one will not be sent. */
  async function pendingResponses(projectId: string) {
    const rows: Array<{ ticket: string; status: string; answers: string[]; reason: string | null }> = await database.query(
      `SELECT ticket_id AS ticket, status, answers_message_ids AS answers, last_error AS reason
         FROM ai_responder.pending_response WHERE project_id = $1 ORDER BY ticket_id, status`,
      [projectId],
    );
    return rows;
  }

  /** The project's conversation, in the order the messages were recorded. */
  async function conversation(projectId: string): Promise<Array<{ ticket: string; message: string }>> {
    return database.query(
      `SELECT ticket_id AS ticket, message_id AS message FROM ai_responder.conversation_message WHERE project_id = $1 ORDER BY arrival`,
      [projectId],
    );
  }

  /** Tickets handed to a human, and the reply.handoff events written for them. */
  async function handoffs(projectId: string) {
    const tickets: Array<{ ticket: string; reason: string }> = await database.query(
      `SELECT ticket_id AS ticket, reason FROM ai_responder.handed_off_ticket WHERE project_id = $1 ORDER BY ticket_id`,
      [projectId],
    );
    const announced: Array<{ payload: unknown }> = await database.query(
      `SELECT envelope->'payload' AS payload FROM ai_responder.outbox_message WHERE subject = $1 ORDER BY position`,
      [`reply.${projectId}.handoff`],
    );
    return { tickets, announced: announced.map((row) => row.payload) };
  }

  /** The same message under another envelope (a redelivery by ticketing). */
  const again = (envelope: TicketMessageEnvelope): TicketMessageEnvelope => createEnvelope(TicketMessageCreated, envelope.projectId, envelope.payload);
  const idOf = (envelope: TicketMessageEnvelope): string => envelope.payload.message.id;

  it('schedules one reply per ticket for a batch of several tickets', async () => {
    const batch = ['t-lamp', 't-invoice', 't-heater'].map((ticketId) => ticketMessage('p-tickets', ticketId));
    await intake.receiveMany(batch);

    expect(await pendingResponses('p-tickets')).toEqual([
      { ticket: 't-heater', status: 'scheduled', answers: [idOf(batch[2]!)], reason: null },
      { ticket: 't-invoice', status: 'scheduled', answers: [idOf(batch[1]!)], reason: null },
      { ticket: 't-lamp', status: 'scheduled', answers: [idOf(batch[0]!)], reason: null },
    ]);
    expect((await conversation('p-tickets')).map((row) => row.message)).toEqual(batch.map(idOf));
  });

  it("records the mailbox's history (events marked backlog) and answers only the new mail beside it", async () => {
    const history = ['t-old-1', 't-old-2'].map((ticketId) => ({ ...ticketMessage('p-history', ticketId), backlog: true as const }));
    const fresh = ticketMessage('p-history', 't-new');
    await intake.receiveMany([...history, fresh]);

    expect(await pendingResponses('p-history')).toEqual([{ ticket: 't-new', status: 'scheduled', answers: [idOf(fresh)], reason: null }]);
    expect((await conversation('p-history')).map((row) => row.ticket)).toEqual(['t-old-1', 't-old-2', 't-new']);
  });

  it('answers two messages of one ticket in a batch with one reply that covers both, in their order', async () => {
    const first = ticketMessage('p-same-ticket', 't-order', { text: 'My order 4711 has not arrived.' });
    const second = ticketMessage('p-same-ticket', 't-order', { text: 'Also, the invoice shows the wrong address.' });
    await intake.receiveMany([first, second]);

    expect(await pendingResponses('p-same-ticket')).toEqual([{ ticket: 't-order', status: 'scheduled', answers: [idOf(first), idOf(second)], reason: null }]);
  });

  it('records a repeated message once, whether it was recorded before the batch or earlier in it, and never answers it again', async () => {
    const before = ticketMessage('p-duplicates', 't-repeat', { text: 'First mail.' });
    await intake.receive(before);
    // Its reply went out already: were the redelivery taken for a new message, it would be answered a second time.
    await database.query(`UPDATE ai_responder.pending_response SET status = 'proposed' WHERE project_id = 'p-duplicates'`);
    const fresh = ticketMessage('p-duplicates', 't-repeat', { text: 'Second mail.' });
    const agentAnswer = ticketMessage('p-duplicates', 't-repeat', { direction: 'outbound', author: 'agent', from: SUPPORT });
    // The agent's answer cancels the reply to `fresh`: were its repetition taken for new, it would schedule another.
    await intake.receiveMany([again(before), fresh, agentAnswer, again(fresh)]);

    expect((await conversation('p-duplicates')).map((row) => row.message)).toEqual([before, fresh, agentAnswer].map(idOf));
    expect(await pendingResponses('p-duplicates')).toEqual([
      { ticket: 't-repeat', status: 'cancelled', answers: [idOf(fresh)], reason: 'an agent answered the ticket' },
      { ticket: 't-repeat', status: 'proposed', answers: [idOf(before)], reason: null },
    ]);
  });

  it('takes in all of a batch or, when one event fails, none of it; alone, the others are taken in', async () => {
    const good = [ticketMessage('p-rollback', 't-fine'), ticketMessage('p-rollback', 't-also-fine')];
    // Well-formed enough to get to the database, which refuses text with a NUL character.
    const failing = ticketMessage('p-rollback', 't-failing', { text: 'Hello\u0000' });
    await expect(intake.receiveMany([...good, failing])).rejects.toThrow(/0x00/);
    expect(await conversation('p-rollback')).toEqual([]);
    expect(await pendingResponses('p-rollback')).toEqual([]);

    // What the transport does next: each event alone.
    for (const event of good) await intake.receive(event);
    await expect(intake.receive(failing)).rejects.toThrow();
    expect((await pendingResponses('p-rollback')).map((row) => row.ticket)).toEqual(['t-also-fine', 't-fine']);
  });

  it('comes to the same replies, cancellations and handoffs as the same events handled one by one', async () => {
    // One answered reply already counts for t-limit: at a limit of one per ticket, its next message goes to a human.
    for (const projectId of [BATCHED, ONE_BY_ONE]) {
      await database.transaction((manager) =>
        running.app.get(LoopBreaker).recordReply(manager, { responseId: randomUUID(), projectId, ticketId: 't-limit', customerAddress: 'jane@example.com' }),
      );
    }
    const events = (projectId: string): TicketMessageEnvelope[] => {
      const malformed = ticketMessage(projectId, 't-broken');
      return [
        ticketMessage(projectId, 't-one', { id: 'm1' }),
        ticketMessage(projectId, 't-two', { id: 'm2' }),
        ticketMessage(projectId, 't-one', { id: 'm3' }),
        // An agent answers t-one: its reply is cancelled; the customer's next message gets a new one.
        ticketMessage(projectId, 't-one', { id: 'm4', direction: 'outbound', author: 'agent', from: SUPPORT }),
        ticketMessage(projectId, 't-one', { id: 'm5' }),
        // A human holds t-taken: neither of its messages is answered (the hold itself is ticket.updated's to record).
        ticketMessage(projectId, 't-taken', { id: 'm6', ticketStatus: 'needs_human' }),
        ticketMessage(projectId, 't-taken', { id: 'm7', ticketStatus: 'needs_human' }),
        ticketMessage(projectId, 't-away', { id: 'm8', kind: 'out-of-office', kindReasons: ['Auto-Submitted: auto-replied'] }),
        ticketMessage(projectId, 't-forged', { id: 'm9', from: SUPPORT }),
        createEnvelope(TicketMessageCreated, projectId, { ...malformed.payload, message: undefined as unknown as TicketMessageView }),
        ticketMessage(projectId, 't-limit', { id: 'm10' }),
        ticketMessage(projectId, 't-limit', { id: 'm11' }),
        ticketMessage(projectId, 't-two', { id: 'm12' }),
        ticketMessage(projectId, 't-two', { id: 'm2' }),
      ];
    };
    await intake.receiveMany(events(BATCHED));
    for (const event of events(ONE_BY_ONE)) await intake.receive(event);

    const batched = { responses: await pendingResponses(BATCHED), conversation: await conversation(BATCHED), handoffs: await handoffs(BATCHED) };
    expect(batched).toEqual({ responses: await pendingResponses(ONE_BY_ONE), conversation: await conversation(ONE_BY_ONE), handoffs: await handoffs(ONE_BY_ONE) });
    // And what that is, spelled out: a spec comparing two wrong results with each other would prove nothing.
    expect(batched.responses.map(({ ticket, status, answers }) => `${ticket} ${status} ${answers.join(',')}`)).toEqual([
      't-one cancelled m1,m3',
      't-one scheduled m5',
      't-two scheduled m2,m12',
    ]);
    expect(batched.conversation.map((row) => row.message)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12']);
    expect(batched.handoffs.tickets.map((row) => row.ticket)).toEqual(['t-forged', 't-limit']);
    expect(batched.handoffs.announced).toEqual([
      { ticketId: 't-forged', reason: expect.stringContaining("mail From the channel's own address") },
      { ticketId: 't-limit', reason: 'AI reply limit reached: 1 replies to this ticket within 60 minutes (limit 1)' },
    ]);
  });

  it('gets what queued behind a message from the transport as one batch', async () => {
    const original = intake.receiveMany.bind(intake);
    const batchSizes: number[] = [];
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const spy = vi.spyOn(intake, 'receiveMany').mockImplementation(async (envelopes) => {
      batchSizes.push(envelopes.length);
      // The first message is held, so that the rest queue up behind it in the project's lane.
      if (batchSizes.length === 1) await firstHeld;
      return original(envelopes);
    });
    try {
      const first = await harness.publish(ticketMessage('p-transport', 't-burst'));
      await eventually(() => batchSizes.length === 1);
      const queued = [ticketMessage('p-transport', 't-burst'), ticketMessage('p-transport', 't-other'), ticketMessage('p-transport', 't-burst')];
      for (const event of queued) await harness.publish(event);
      // Delivered to the service, none acknowledged: the queued ones wait in the lane behind the first.
      await eventually(async () => (await unacknowledged()) === 1 + queued.length, { message: 'the queued messages were not pulled' });
      release();
      await eventually(async () => (await unacknowledged()) === 0, { message: 'the messages were not acknowledged' });

      expect(batchSizes).toEqual([1, queued.length]);
      expect(await pendingResponses('p-transport')).toEqual([
        { ticket: 't-burst', status: 'scheduled', answers: [first, queued[0]!, queued[2]!].map(idOf), reason: null },
        { ticket: 't-other', status: 'scheduled', answers: [idOf(queued[1]!)], reason: null },
      ]);
    } finally {
      release();
      spy.mockRestore();
    }
  });

  /** How many ticket.message.created the service has been given and not acknowledged; null while some wait in the stream. */
  async function unacknowledged(): Promise<number | null> {
    const jsm = await jetstreamManager(harness.client);
    const info = await jsm.consumers.info(STREAMS.ticket, consumerName('ai-responder', TicketMessageCreated.anyProject));
    return info.num_pending === 0 ? info.num_ack_pending : null;
  }
});
