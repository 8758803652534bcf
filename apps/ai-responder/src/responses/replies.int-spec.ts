import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, TicketMessageCreated } from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { ADMIN, getJson, JANE, ResponderHarness, sleep, SUPPORT, ticketMessage, type RunningApp } from '../test-support/ai-responder-harness.js';

/**
 * ai-responder against a real NATS JetStream and PostgreSQL, with the local provider: ticket messages go in as
 * ticketing publishes them, reply.proposed events come out on the REPLIES stream.
 */
describe('ai-responder schedules and proposes replies', () => {
  const harness = new ResponderHarness();
  let running: RunningApp;

  beforeAll(async () => {
    await harness.setUp();
    await Promise.all([
      harness.putSettings('p-basic', { responseDelay: { minSeconds: 1, maxSeconds: 2 } }),
      harness.putSettings('p-joint', { responseDelay: { minSeconds: 2, maxSeconds: 2 } }),
      harness.putSettings('p-machines', { responseDelay: { minSeconds: 0, maxSeconds: 1 } }),
      harness.putSettings('p-disable', { responseDelay: { minSeconds: 2, maxSeconds: 2 } }),
      harness.putSettings('p-agent', { responseDelay: { minSeconds: 3, maxSeconds: 3 } }),
      harness.putSettings('p-crash', { responseDelay: { minSeconds: 600, maxSeconds: 600 } }),
      harness.putSettings('p-restart', { responseDelay: { minSeconds: 3, maxSeconds: 3 } }),
    ]);
    running = await harness.start({ ADMIN_TOKEN: ADMIN });
  });

  afterAll(async () => {
    await running?.close();
    await harness.tearDown();
  });

  it('answers a customer message after the delay, by name, about their subject, once', async () => {
    const ticketId = randomUUID();
    const event = ticketMessage('p-basic', ticketId);
    const publishedAt = Date.now();
    await harness.publish(event);
    // The same message delivered again under another envelope (a ticketing retry) must not give a second reply.
    await harness.publish(createEnvelope(TicketMessageCreated, 'p-basic', event.payload));

    const [reply] = await eventually(async () => {
      const replies = await harness.proposedReplies('p-basic');
      return replies.length > 0 ? replies : null;
    }, { timeoutMs: 10_000, message: 'no reply.proposed for the customer message' });

    expect(Date.parse(reply!.occurredAt) - publishedAt).toBeGreaterThanOrEqual(900);
    expect(reply!.payload).toMatchObject({ ticketId, answersMessageIds: [event.payload.message.id], html: null, author: 'ai' });
    expect(reply!.payload.text).toMatch(/^Hello Jane,/);
    // The placeholder acknowledges without repeating the mail.
    expect(reply!.payload.text).toContain('Thank you for your message. We have received your request');
    expect(reply!.payload.text).not.toContain('4711');
    expect(reply!.payload.text.trimEnd()).toMatch(/\nACME Support$/);

    await sleep(2_500); // past the longest delay of the duplicate, had it been scheduled
    expect(await harness.proposedReplies('p-basic')).toHaveLength(1);
    expect((await getJson(`${running.url}/v1/projects/p-basic/pending-responses`)).body.items).toEqual([]);
    expect((await getJson(`${running.url}/health`, null)).body).toMatchObject({ status: 'ok' });
  });

  it('gives two customer messages that arrive before the reply is due one reply that answers both', async () => {
    const ticketId = randomUUID();
    const first = await harness.publish(ticketMessage('p-joint', ticketId, { text: 'My order 4711 has not arrived.' }));
    const second = await harness.publish(
      ticketMessage('p-joint', ticketId, { subject: 'Re: Order 4711 missing', text: 'Also, the invoice shows the wrong address.' }),
    );

    const [reply] = await eventually(async () => {
      const replies = await harness.proposedReplies('p-joint');
      return replies.length > 0 ? replies : null;
    }, { timeoutMs: 10_000 });
    expect(reply!.payload.answersMessageIds).toEqual([first.payload.message.id, second.payload.message.id]);
    expect(reply!.payload.text).toContain('Thank you for your messages.');

    await sleep(1_500);
    expect(await harness.proposedReplies('p-joint')).toHaveLength(1);
  });

  it('never answers auto-replies, bounces, its own address or outbound messages', async () => {
    const silent = {
      autoReply: randomUUID(),
      bounce: randomUUID(),
      own: randomUUID(),
      outboundAi: randomUUID(),
      outboundAgent: randomUUID(),
    };
    await harness.publish(
      ticketMessage('p-machines', silent.autoReply, {
        subject: 'Automatic reply: Order 4711 missing', kind: 'out-of-office', kindReasons: ['Auto-Submitted: auto-replied'],
        text: 'I am out of the office until Monday.',
      }),
    );
    await harness.publish(
      ticketMessage('p-machines', silent.bounce, {
        from: { address: 'MAILER-DAEMON@mx.example.com', name: 'Mail Delivery System' }, kind: 'bounce',
        kindReasons: ['From: MAILER-DAEMON'], subject: 'Undelivered Mail Returned to Sender',
      }),
    );
    // Classified normal upstream, but sent from the channel's own address: still never answered.
    await harness.publish(ticketMessage('p-machines', silent.own, { from: SUPPORT, text: 'A note to ourselves' }));
    await harness.publish(
      ticketMessage('p-machines', silent.outboundAi, { direction: 'outbound', author: 'ai', from: SUPPORT, deliveryStatus: 'queued' }),
    );
    await harness.publish(
      ticketMessage('p-machines', silent.outboundAgent, { direction: 'outbound', author: 'agent', from: SUPPORT, deliveryStatus: 'sent' }),
    );
    // A real customer last: once it is answered, everything before it has been handled too.
    const control = randomUUID();
    await harness.publish(ticketMessage('p-machines', control));

    await eventually(async () => (await harness.proposedReplies('p-machines')).some((r) => r.payload.ticketId === control), {
      timeoutMs: 10_000,
    });
    await sleep(2_000); // past the longest delay (1 s) and a poll, had any of the others been scheduled
    const answered = (await harness.proposedReplies('p-machines')).map((reply) => reply.payload.ticketId);
    expect(answered).toEqual([control]);
  });

  it('cancels a scheduled reply when the channel is disabled before it is due', async () => {
    const ticketId = randomUUID();
    await harness.publish(ticketMessage('p-disable', ticketId));
    await eventually(async () => (await getJson(`${running.url}/v1/projects/p-disable/pending-responses`)).body.items.length === 1);

    await harness.putSettings('p-disable', { enabled: false, responseDelay: { minSeconds: 2, maxSeconds: 2 } });
    // Due after 2 s: the row leaves the pending list as cancelled, and nothing is proposed.
    await eventually(async () => (await getJson(`${running.url}/v1/projects/p-disable/pending-responses`)).body.items.length === 0, {
      timeoutMs: 10_000,
    });
    expect(await harness.proposedReplies('p-disable')).toEqual([]);
  });

  it('cancels its scheduled reply when an agent answers first: the customer gets one answer', async () => {
    const ticketId = randomUUID();
    await harness.publish(ticketMessage('p-agent', ticketId));
    await eventually(async () => (await getJson(`${running.url}/v1/projects/p-agent/pending-responses`)).body.items.length === 1);

    await harness.publish(ticketMessage('p-agent', ticketId, { direction: 'outbound', author: 'agent', from: SUPPORT, deliveryStatus: 'queued' }));
    await eventually(async () => (await getJson(`${running.url}/v1/projects/p-agent/pending-responses`)).body.items.length === 0);
    // Past the 3 s due time: still nothing proposed.
    await sleep(4_000);
    expect(await harness.proposedReplies('p-agent')).toEqual([]);
  });

  it('takes over a response whose replica died while writing it', async () => {
    const ticketId = randomUUID();
    const event = await harness.publish(ticketMessage('p-crash', ticketId));
    const [pending] = await eventually(async () => {
      const { body } = await getJson(`${running.url}/v1/projects/p-crash/pending-responses`);
      return body.items.length === 1 ? body.items : null;
    });
    expect(pending.status).toBe('scheduled');

    // What a replica that claimed the row and then died leaves behind: generating, with a lease that has run out.
    const client = new pg.Client({ connectionString: harness.database.url });
    await client.connect();
    try {
      await client.query(
        `UPDATE ai_responder.pending_response
            SET status = 'generating', attempts = 1, locked_until = now() - interval '1 second', due_at = now() - interval '1 minute'
          WHERE id = $1`,
        [pending.id],
      );
    } finally {
      await client.end();
    }

    const [reply] = await eventually(async () => {
      const replies = await harness.proposedReplies('p-crash');
      return replies.length > 0 ? replies : null;
    }, { timeoutMs: 10_000 });
    expect(reply!.payload).toMatchObject({ responseId: pending.id, ticketId, answersMessageIds: [event.payload.message.id] });
  });

  it('keeps a scheduled reply across a restart and proposes it afterwards; the admin listing needs the token', async () => {
    const ticketId = randomUUID();
    const event = await harness.publish(ticketMessage('p-restart', ticketId, { from: { address: JANE.address, name: '' } }));

    const listUrl = `${running.url}/v1/projects/p-restart/pending-responses`;
    const [pending] = await eventually(async () => {
      const { body } = await getJson(listUrl);
      return body.items.length === 1 ? body.items : null;
    });
    expect(pending).toMatchObject({ ticketId, status: 'scheduled', answersMessageIds: [event.payload.message.id], attempts: 0 });
    expect(Date.parse(pending.dueAt) - Date.parse(pending.createdAt)).toBeGreaterThanOrEqual(2_900);
    expect((await getJson(listUrl, null)).status).toBe(401);
    expect((await getJson(listUrl, 'wrong-token-wrong-token')).status).toBe(401);

    await running.close();
    expect(await harness.proposedReplies('p-restart')).toEqual([]);
    const restartedAt = Date.now();
    // Without ADMIN_TOKEN this time: the listing does not exist then.
    running = await harness.start();
    expect((await getJson(`${running.url}/v1/projects/p-restart/pending-responses`)).status).toBe(404);

    const [reply] = await eventually(async () => {
      const replies = await harness.proposedReplies('p-restart');
      return replies.length > 0 ? replies : null;
    }, { timeoutMs: 15_000, message: 'the pending reply was not proposed after the restart' });
    expect(Date.parse(reply!.occurredAt)).toBeGreaterThanOrEqual(restartedAt);
    expect(reply!.payload).toMatchObject({ responseId: pending.id, ticketId, answersMessageIds: [event.payload.message.id] });
    expect(reply!.payload.text).toMatch(/^Hello,\n/);
  });
});
