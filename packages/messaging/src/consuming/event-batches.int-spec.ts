import 'reflect-metadata';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, subjectOf, type EventEnvelope } from '@ensoras/contracts';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { ensureStreams } from '../connection/topology.js';
import { startMessagingTestApp } from '../test-support/messaging-test-app.js';
import { EnvelopesOf, inBatchesOf } from './event-batches.js';
import { PermanentEventError } from './event-failure.js';

const Counted = defineEvent<{ n: number }>('ticket', 'counted');
/** `project:n` of every event, in the order its batch committed (a failed batch records nothing). */
const committed: string[] = [];
const batchSizes: number[] = [];
/** How often each event was part of a handler call, batch or single. */
const calls = new Map<string, number>();
let dependencyDown = true;

@Controller()
class CountedController {
  @EventPattern<string>(Counted.anyProject, inBatchesOf(20))
  async handle(@Payload(new EnvelopesOf(Counted)) envelopes: Array<EventEnvelope<{ n: number }>>): Promise<void> {
    const keys = envelopes.map((envelope) => `${envelope.projectId}:${envelope.payload.n}`);
    for (const key of keys) calls.set(key, (calls.get(key) ?? 0) + 1);
    batchSizes.push(keys.length);
    // The first event of pdown keeps its lane busy long enough for the rest to queue up behind it as one batch.
    await new Promise((resolve) => setTimeout(resolve, keys.includes('pdown:0') ? 300 : 2));
    // All or nothing, as in one transaction: a batch holding the poison event fails as a whole.
    if (keys.includes('ppoison:5')) throw new PermanentEventError('event 5 cannot be handled');
    if (keys.includes('pdown:1') && dependencyDown) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    committed.push(...keys);
  }
}

describe('batch handlers on a real NATS', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let client: NatsConnection;
  let app: INestApplication | undefined;

  const publish = (projectId: string, n: number) => {
    const envelope = createEnvelope(Counted, projectId, { n });
    return jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
  };
  const committedOf = (projectId: string) => committed.filter((key) => key.startsWith(`${projectId}:`)).map((key) => Number(key.split(':')[1]));
  const upTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    client = await connect({ servers: nats.url });
    await ensureStreams(await jetstreamManager(client));
  });

  afterAll(async () => {
    await app?.close();
    await client?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it("works through a project's backlog in batches of up to 20, each event once and in order", async () => {
    // In the stream before the consumer exists: a backlog from the first pull on.
    for (let n = 1; n <= 200; n++) await publish('pbacklog', n);
    app = await startMessagingTestApp({
      nats,
      database,
      service: 'batches',
      controllers: [CountedController],
      consumer: { ackWaitMs: 1_000, transientBackoffMs: [50, 100, 200] },
    });

    await eventually(() => committedOf('pbacklog').length >= 200, { timeoutMs: 20_000 });
    expect(committedOf('pbacklog')).toEqual(upTo(200));
    expect(Math.max(...batchSizes)).toBe(20);
    // Far fewer handler calls than events: that is the point.
    expect(batchSizes.length).toBeLessThan(50);
    const jsm = await jetstreamManager(client);
    await eventually(async () => (await jsm.consumers.info('TICKETS', 'batches__ticket_any_counted')).num_ack_pending === 0, { timeoutMs: 5_000 });
    // Past the ack wait: nothing comes back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(committedOf('pbacklog')).toEqual(upTo(200));
  });

  it('handles the events of a failed batch one by one: only the bad event is dead-lettered, the rest are handled once', async () => {
    const deadLetters: string[] = [];
    const subscription = client.subscribe('deadletter.batches.>', { callback: (_error, message) => {
      deadLetters.push(message.subject);
    } });
    for (let n = 1; n <= 30; n++) await publish('ppoison', n);

    await eventually(() => committedOf('ppoison').length >= 29, { timeoutMs: 10_000 });
    expect(committedOf('ppoison')).toEqual(upTo(30).filter((n) => n !== 5));
    await eventually(() => deadLetters.length === 1, { timeoutMs: 5_000 });
    expect(deadLetters).toEqual(['deadletter.batches.ticket.ppoison.counted']);
    subscription.unsubscribe();
  });

  it("keeps the rest of a failed batch leased while its first event waits out an outage, then handles them once, in order", async () => {
    // pdown:0 goes alone (the lane is idle); 1–10 queue up behind it and come as one batch, which fails.
    for (let n = 0; n <= 10; n++) await publish('pdown', n);
    await eventually(() => (calls.get('pdown:1') ?? 0) >= 3, { timeoutMs: 5_000 });
    expect(calls.get('pdown:2')).toBe(1);

    // Well past the 1 s ack wait: none of the rest was redelivered and handled behind the first one's back.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(committedOf('pdown')).toEqual([0]);
    expect(calls.get('pdown:2')).toBe(1);
    dependencyDown = false;
    await eventually(() => committedOf('pdown').length >= 11, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(committedOf('pdown')).toEqual([0, ...upTo(10)]);
    // The batch, then once alone: never twice alone.
    expect(calls.get('pdown:2')).toBe(2);
  });
});
