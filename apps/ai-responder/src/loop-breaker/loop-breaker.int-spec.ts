import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { createEnvelope, TicketUpdated, type ChannelSafety, type MailAddress, type TicketStatus, type TicketUpdatedPayload } from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { ADMIN, getJson, JANE, ResponderHarness, sleep, ticketMessage, type RunningApp } from '../test-support/ai-responder-harness.js';

const BOB: MailAddress = { address: 'bob@example.org', name: 'Bob' };
const safety = (overrides: Partial<ChannelSafety>): ChannelSafety => ({
  maxMessageSizeMb: 25,
  maxAiRepliesPerTicket: 10,
  maxAiRepliesPerAddress: 10,
  loopWindowMinutes: 60,
  ...overrides,
});

/**
 * The loop breaker against a real NATS JetStream and PostgreSQL: customer messages go in as ticketing publishes
 * them, replies and handoffs come out on the REPLIES stream.
 */
describe('ai-responder loop breaker', () => {
  const harness = new ResponderHarness();
  let running: RunningApp;

  beforeAll(async () => {
    await harness.setUp();
    await Promise.all([
      harness.putSettings('p-ticket-limit', { responseDelay: { minSeconds: 0, maxSeconds: 0 }, safety: safety({ maxAiRepliesPerTicket: 2 }) }),
      harness.putSettings('p-address-limit', { responseDelay: { minSeconds: 0, maxSeconds: 0 }, safety: safety({ maxAiRepliesPerAddress: 2 }) }),
      harness.putSettings('p-at-proposal', { responseDelay: { minSeconds: 1, maxSeconds: 1 }, safety: safety({ maxAiRepliesPerAddress: 1 }) }),
      harness.putSettings('p-handed-off', { responseDelay: { minSeconds: 0, maxSeconds: 0 } }),
      harness.putSettings('p-cancel', { responseDelay: { minSeconds: 600, maxSeconds: 600 } }),
      harness.putSettings('p-ticket-limit-again', { responseDelay: { minSeconds: 0, maxSeconds: 0 }, safety: safety({ maxAiRepliesPerTicket: 1 }) }),
      harness.putSettings('p-new-text', { responseDelay: { minSeconds: 0, maxSeconds: 0 } }),
    ]);
    running = await harness.start({ ADMIN_TOKEN: ADMIN });
  });

  afterAll(async () => {
    await running?.close();
    await harness.tearDown();
  });

  /** Publishes a customer message and waits until the number of proposed replies of the project reaches `expected`. */
  async function answered(projectId: string, ticketId: string, expected: number, overrides: Parameters<typeof ticketMessage>[2] = {}) {
    await harness.publish(ticketMessage(projectId, ticketId, overrides));
    return eventually(async () => {
      const replies = await harness.proposedReplies(projectId);
      return replies.length === expected && replies;
    }, { timeoutMs: 10_000, message: `reply ${expected} in ${projectId} was not proposed` });
  }

  /** ticket.updated as ticketing publishes it for a status change, with the status before it. */
  async function publishStatusChange(projectId: string, ticketId: string, status: TicketStatus, previousStatus: TicketStatus): Promise<void> {
    const now = new Date().toISOString();
    const envelope = createEnvelope(TicketUpdated, projectId, {
      ticket: { id: ticketId, projectId, subject: 'Order 4711 missing', status, customer: JANE, messageCount: 1, createdAt: now, updatedAt: now },
      changes: ['status'],
      previousStatus,
    } satisfies TicketUpdatedPayload);
    await jetstream(harness.client).publish(TicketUpdated.subject(projectId), JSON.stringify(envelope), { msgID: envelope.id });
  }

  /** Waits a while and finds nothing waiting to be proposed in the project. */
  async function quietFor(projectId: string, ms = 2_000): Promise<void> {
    await sleep(ms);
    expect((await getJson(`${running.url}/v1/projects/${projectId}/pending-responses`)).body.items).toEqual([]);
  }

  it('answers a ticket up to its limit, then hands it to a human once and stays silent', async () => {
    const ticketId = randomUUID();
    await answered('p-ticket-limit', ticketId, 1);
    await answered('p-ticket-limit', ticketId, 2, { text: 'That did not help.' });

    // The third message reaches the limit of 2 replies to this ticket: no reply, a handoff instead.
    await harness.publish(ticketMessage('p-ticket-limit', ticketId, { text: 'Still not working.' }));
    const [handoff] = await eventually(async () => {
      const handoffs = await harness.handoffs('p-ticket-limit');
      return handoffs.length > 0 && handoffs;
    }, { timeoutMs: 10_000, message: 'no reply.handoff at the limit' });
    expect(handoff!.payload).toEqual({ ticketId, reason: 'AI reply limit reached: 2 replies to this ticket within 60 minutes (limit 2)' });

    // More messages: never answered again, and handed off only once.
    await harness.publish(ticketMessage('p-ticket-limit', ticketId, { text: 'Hello?' }));
    await quietFor('p-ticket-limit');
    expect(await harness.proposedReplies('p-ticket-limit')).toHaveLength(2);
    expect(await harness.handoffs('p-ticket-limit')).toHaveLength(1);
  });

  it('stops answering an address that opens ticket after ticket, and goes on answering others', async () => {
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    await answered('p-address-limit', first, 1);
    await answered('p-address-limit', second, 2);
    await harness.publish(ticketMessage('p-address-limit', third));
    const [handoff] = await eventually(async () => {
      const handoffs = await harness.handoffs('p-address-limit');
      return handoffs.length > 0 && handoffs;
    }, { timeoutMs: 10_000 });
    expect(handoff!.payload).toEqual({ ticketId: third, reason: `AI reply limit reached: 2 replies to ${JANE.address} within 60 minutes (limit 2)` });

    // Another customer is not affected by Jane's count.
    const bobs = randomUUID();
    const replies = await answered('p-address-limit', bobs, 3, { from: BOB, customer: BOB });
    expect(replies.at(-1)!.payload.ticketId).toBe(bobs);
    expect(replies.map((reply) => reply.payload.ticketId)).toEqual([first, second, bobs]);
  });

  it('checks again before proposing: of two replies due at once for one address, the limit lets one through', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    // Both are scheduled (no reply yet at that moment), and both fall due a second later.
    await harness.publish(ticketMessage('p-at-proposal', first));
    await harness.publish(ticketMessage('p-at-proposal', second));
    const [handoff] = await eventually(async () => {
      const handoffs = await harness.handoffs('p-at-proposal');
      return handoffs.length > 0 && handoffs;
    }, { timeoutMs: 10_000 });
    const replies = await harness.proposedReplies('p-at-proposal');
    expect(replies).toHaveLength(1);
    expect(new Set([replies[0]!.payload.ticketId, handoff!.payload.ticketId])).toEqual(new Set([first, second]));
    await quietFor('p-at-proposal', 1_500);
    expect(await harness.proposedReplies('p-at-proposal')).toHaveLength(1);
  });

  it('does not answer a ticket a human holds until ticketing gives it back, and announces nothing itself', async () => {
    const held = randomUUID();
    const closed = randomUUID();
    // Ticketing reports one ticket handed to a human; a message arrives for it while held.
    await harness.publishTicketStatus('p-handed-off', held, 'needs_human');
    await harness.ticketUpdatesHandled();
    await harness.publish(ticketMessage('p-handed-off', held, { ticketStatus: 'needs_human', text: 'Thanks, one more question.' }));
    // A message of a ticket that reads open while the hold is remembered (its event trailing the handoff) is not
    // answered either.
    await harness.publish(ticketMessage('p-handed-off', held, { text: 'And another thing.' }));
    // A control ticket is answered after them (one consumer, in order): everything before it was handled.
    const control = randomUUID();
    await answered('p-handed-off', control, 1);
    await quietFor('p-handed-off', 1_000);
    expect((await harness.proposedReplies('p-handed-off')).map((reply) => reply.payload.ticketId)).toEqual([control]);

    // An agent gives the ticket back to the AI: the next message is answered.
    await publishStatusChange('p-handed-off', held, 'open', 'needs_human');
    await harness.ticketUpdatesHandled();
    await answered('p-handed-off', held, 2, { text: 'Still there?' });

    // A ticket handed off and then closed: a customer mail reopens it, and it is answered again.
    await harness.publishTicketStatus('p-handed-off', closed, 'needs_human');
    await publishStatusChange('p-handed-off', closed, 'closed', 'needs_human');
    await harness.ticketUpdatesHandled();
    await answered('p-handed-off', closed, 3, { text: 'I have a new question.' });
    expect(await harness.handoffs('p-handed-off')).toEqual([]);
  });

  it('cancels a reply already scheduled when the ticket is handed off', async () => {
    const ticketId = randomUUID();
    await harness.publish(ticketMessage('p-cancel', ticketId));
    const listUrl = `${running.url}/v1/projects/p-cancel/pending-responses`;
    await eventually(async () => (await getJson(listUrl)).body.items.length === 1);
    await harness.publishTicketStatus('p-cancel', ticketId, 'needs_human');
    await eventually(async () => (await getJson(listUrl)).body.items.length === 0, { timeoutMs: 10_000, message: 'the scheduled reply was not cancelled' });
  });

  it('cancels a reply already scheduled when the ticket is closed', async () => {
    const ticketId = randomUUID();
    await harness.publish(ticketMessage('p-cancel', ticketId));
    const listUrl = `${running.url}/v1/projects/p-cancel/pending-responses`;
    await eventually(async () => (await getJson(listUrl)).body.items.some((item: { ticketId: string }) => item.ticketId === ticketId));
    await publishStatusChange('p-cancel', ticketId, 'closed', 'open');
    await eventually(async () => (await getJson(listUrl)).body.items.length === 0, { timeoutMs: 10_000, message: 'the scheduled reply was not cancelled' });
  });

  it('answers a ticket given back afresh, and hands it off again at the limit with an event of its own', async () => {
    const ticketId = randomUUID();
    await answered('p-ticket-limit-again', ticketId, 1);
    await harness.publish(ticketMessage('p-ticket-limit-again', ticketId, { text: 'Not working.' }));
    await eventually(async () => (await harness.handoffs('p-ticket-limit-again')).length === 1, { timeoutMs: 10_000, message: 'no first handoff' });
    // Ticketing's echo of the handoff, then an agent gives the ticket back: the AI answers the next message (its
    // earlier reply no longer counts), and the one after reaches the limit of 1 again.
    await harness.publishTicketStatus('p-ticket-limit-again', ticketId, 'needs_human');
    await publishStatusChange('p-ticket-limit-again', ticketId, 'open', 'needs_human');
    await harness.ticketUpdatesHandled();
    await answered('p-ticket-limit-again', ticketId, 2, { text: 'Thanks to your colleague it works now. One more question.' });
    await harness.publish(ticketMessage('p-ticket-limit-again', ticketId, { text: 'Still not working.' }));
    const handoffs = await eventually(async () => {
      const all = await harness.handoffs('p-ticket-limit-again');
      return all.length === 2 && all;
    }, { timeoutMs: 10_000, message: 'the second handoff was not published (a repeated Nats-Msg-Id?)' });
    expect(new Set(handoffs.map((handoff) => handoff.id)).size).toBe(2);
    expect(await harness.proposedReplies('p-ticket-limit-again')).toHaveLength(2);
  });

  it('never quotes the customer back: neither the new part, nor the text around it, nor the subject', async () => {
    const ticketId = randomUUID();
    const [reply] = await answered('p-new-text', ticketId, 1, {
      ticketSubject: 'Visit evil.example for your prize',
      text: 'Earlier text of the thread that is quoted here.\nCould you call me back tomorrow?',
      newText: 'Could you call me back tomorrow?',
    });
    expect(reply!.payload.text).toContain('Thank you for your message.');
    expect(reply!.payload.text).not.toMatch(/call me back|Earlier text|evil\.example|prize/);
  });
});
