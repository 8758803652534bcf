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

const Backlog = defineEvent<{ n: number }>('ticket', 'backlog');
/** Per project, the `n` of each event in the order its handler finished with it. */
const backlogHandled = new Map<string, number[]>();
/** How many of project A's events were done when project B's event was handled. */
let backlogDoneWhenOtherHandled: number | undefined;

const Held = defineEvent<{ n: number }>('ticket', 'held');
const heldHandled: string[] = [];
const heldCalls = new Map<string, number>();
let dependencyDown = true;

@Controller()
class BacklogController {
  @EventPattern<string>(Backlog.anyProject)
  async handle(@Payload() envelope: EventEnvelope<{ n: number }>): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const handled = backlogHandled.get(envelope.projectId) ?? [];
    handled.push(envelope.payload.n);
    backlogHandled.set(envelope.projectId, handled);
    if (envelope.projectId === 'pb') backlogDoneWhenOtherHandled ??= backlogHandled.get('pa')?.length ?? 0;
  }
}

@Controller()
class HeldController {
  @EventPattern<string>(Held.anyProject)
  handle(@Payload() envelope: EventEnvelope<{ n: number }>): void {
    const key = `${envelope.projectId}:${envelope.payload.n}`;
    heldCalls.set(key, (heldCalls.get(key) ?? 0) + 1);
    // Project pdown's first event needs a dependency that is down (ECONNREFUSED: transient, retried while it lasts).
    if (key === 'pdown:1' && dependencyDown) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    heldHandled.push(key);
  }
}

describe('per-project lanes on a real NATS', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let client: NatsConnection;
  let app: INestApplication | undefined;

  const publish = (definition: typeof Backlog, projectId: string, n: number) => {
    const envelope = createEnvelope(definition, projectId, { n });
    return jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
  };

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

  it("handles a project's single event before another project's backlog is done, and the backlog once each, in order", async () => {
    // The backlog is in the stream before the consumer exists: project B's event is behind all of A's.
    for (let n = 1; n <= 300; n++) await publish(Backlog, 'pa', n);
    await publish(Backlog, 'pb', 1);
    app = await startMessagingTestApp({
      nats,
      database,
      service: 'lanes',
      controllers: [BacklogController, HeldController],
      // A 1 s ack wait, well under the 1.5 s that A's backlog takes: the queued events keep their leases.
      consumer: { ackWaitMs: 1_000, transientBackoffMs: [50, 100, 200] },
    });

    await eventually(() => backlogHandled.get('pb')?.length === 1, { timeoutMs: 10_000 });
    expect(backlogDoneWhenOtherHandled).toBeLessThan(150);
    await eventually(() => (backlogHandled.get('pa')?.length ?? 0) >= 300, { timeoutMs: 30_000 });
    const jsm = await jetstreamManager(client);
    await eventually(async () => (await jsm.consumers.info('TICKETS', 'lanes__ticket_any_backlog')).num_ack_pending === 0, { timeoutMs: 5_000 });
    // Past the ack wait once more: nothing comes back a second time.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(backlogHandled.get('pa')).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(backlogHandled.get('pb')).toEqual([1]);
  });

  it("goes on with other projects while a transient failure holds one project's lane, then resumes it in order", async () => {
    await publish(Held, 'pdown', 1);
    await publish(Held, 'pdown', 2);
    await eventually(() => (heldCalls.get('pdown:1') ?? 0) >= 2, { timeoutMs: 5_000 });
    for (let n = 1; n <= 3; n++) await publish(Held, 'pup', n);
    await eventually(() => heldHandled.filter((key) => key.startsWith('pup:')).length === 3, { timeoutMs: 5_000 });
    expect(heldHandled).toEqual(['pup:1', 'pup:2', 'pup:3']);

    // Past the 1 s ack wait while held: pdown:2 waits in its lane with its lease renewed, and is never handled early.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(heldCalls.get('pdown:2')).toBeUndefined();
    dependencyDown = false;
    await eventually(() => heldHandled.includes('pdown:2'), { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(heldHandled.filter((key) => key.startsWith('pdown:'))).toEqual(['pdown:1', 'pdown:2']);
    expect(heldCalls.get('pdown:2')).toBe(1);
  });
});
