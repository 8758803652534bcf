import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, subjectOf, TicketCreated, TicketUpdated, type EventEnvelope, type TicketView } from '@ensoras/contracts';
import { ensureStreams } from '@ensoras/messaging';
import { startNats, type NatsTestServer } from '@ensoras/testing';

const SUBSCRIBER = fileURLToPath(new URL('./subscriber.mjs', import.meta.url));
const run = promisify(execFile);

function ticket(projectId: string, subject: string, status: TicketView['status'] = 'open'): TicketView {
  const now = new Date().toISOString();
  return { id: crypto.randomUUID(), projectId, subject, status, customer: { address: 'ann@customer.test', name: 'Ann' }, messageCount: 1, createdAt: now, updatedAt: now };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('examples/ticket-subscriber against a real NATS', () => {
  let nats: NatsTestServer;
  let client: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    client = await connect({ servers: nats.url });
    await ensureStreams(await jetstreamManager(client));
  });

  afterAll(async () => {
    await client?.close();
    await nats?.stop();
  });

  const publish = async (envelope: EventEnvelope<unknown>) => {
    await jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
  };

  const subscriber = async (...args: string[]) =>
    (await run(process.execPath, [SUBSCRIBER, '--server', nats.url, '--until-caught-up', ...args], { timeout: 30_000 })).stdout.trim().split('\n');

  it("replays one project's ticket events from a point in time, validated against docs/events, each once", async () => {
    const before = createEnvelope(TicketCreated, 'acme', { ticket: ticket('acme', 'Before') });
    await publish(before);
    await pause(50);
    const since = new Date();
    await pause(50);
    const created = ticket('acme', 'Where is my order?');
    const first = createEnvelope(TicketCreated, 'acme', { ticket: created });
    const update = createEnvelope(TicketUpdated, 'acme', { ticket: { ...created, status: 'needs_human' }, changes: ['status'], previousStatus: 'open' });
    const invalid = createEnvelope(TicketCreated, 'acme', { ticket: { ...ticket('acme', 'Broken'), subject: 42 as unknown as string } });
    const future = { ...createEnvelope(TicketCreated, 'acme', { ticket: ticket('acme', 'Future') }), version: 2 };
    await publish(first);
    await publish(createEnvelope(TicketCreated, 'other', { ticket: ticket('other', 'Another project') }));
    await publish(update);
    await publish(invalid);
    await publish(future);
    // The same event again, outside JetStream's duplicate window (another id for NATS, the same event id inside).
    await jetstream(client).publish(subjectOf(update), JSON.stringify(update));

    const lines = await subscriber('--project', 'acme', '--since', since.toISOString());
    expect(lines).toEqual([
      `${first.occurredAt} ticket.created v1 ticket=${created.id} status=open id=${first.id}`,
      `${update.occurredAt} ticket.updated v1 ticket=${created.id} status=needs_human id=${update.id}`,
      `invalid ticket.acme.created ${invalid.id}: payload.ticket.subject: must be string`,
      `skipped ticket.acme.created ${future.id}: ticket.created version 2 is unknown here (schemas for 1)`,
      `duplicate ${update.id}`,
    ]);

    const everything = await subscriber('--project', 'acme', '--since', new Date(since.getTime() - 60_000).toISOString());
    expect(everything[0]).toBe(`${before.occurredAt} ticket.created v1 ticket=${before.payload.ticket.id} status=open id=${before.id}`);
    expect(everything).toHaveLength(6);
  });

  it('refuses a project id that is not one subject token', async () => {
    await expect(subscriber('--project', 'acme.>')).rejects.toThrow(/usage/);
  });
});
