import 'reflect-metadata';
import { createServer, Socket, type Server } from 'node:net';
import { Controller, type INestApplication, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, DEAD_LETTER_STREAM, defineEvent, subjectOf, type EventEnvelope } from '@ensoras/contracts';
import { createTestDatabase, eventually, freePort, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { PermanentEventError } from './consuming/event-failure.js';
import { countDeadLetters, listDeadLetters, replayDeadLetters } from './dead-letters/dead-letters.js';
import { Outbox } from './outbox/outbox.service.js';
import { startMessagingTestApp } from './test-support/messaging-test-app.js';

interface Work {
  n: number;
  /** `refused`: connect to the dependency port (refused while it is closed); `reject-once`: permanent on the first try. */
  mode: 'ok' | 'refused' | 'reject-once';
  text?: string;
}
const Work = defineEvent<Work>('ticket', 'work');
const handled = new Map<string, number[]>();
const calls = new Map<number, number>();
let dependencyPort = 0;

function record(service: string, n: number): void {
  handled.set(service, [...(handled.get(service) ?? []), n]);
}

/** Opens and closes a TCP connection: ECONNREFUSED while nothing listens there, as a stopped database would. */
function touchDependency(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(dependencyPort, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
  });
}

@Controller()
class WorkController {
  @EventPattern<string>(Work.anyProject)
  async handle(@Payload() envelope: EventEnvelope<Work>): Promise<void> {
    const { n, mode } = envelope.payload;
    const call = (calls.get(n) ?? 0) + 1;
    calls.set(n, call);
    if (mode === 'refused') await touchDependency();
    if (mode === 'reject-once' && call === 1) throw new PermanentEventError(`work ${n}: version not understood`);
    record('main', n);
  }
}

@Controller()
class OtherServiceController {
  @EventPattern<string>(Work.anyProject)
  handle(@Payload() envelope: EventEnvelope<Work>): void {
    record('other', envelope.payload.n);
  }
}

function startApp(nats: NatsTestServer, database: TestDatabase, service: string, controller: Type): Promise<INestApplication> {
  return startMessagingTestApp({
    nats,
    database,
    service,
    controllers: [controller],
    outboxRetry: { maxAttempts: 3, backoffMs: [100] },
    // The old rule would have dead-lettered after 3 attempts, 0.3 s.
    consumer: { maxAttempts: 3, backoffMs: [100, 200], transientBackoffMs: [50, 100, 200], ackWaitMs: 1_000 },
  });
}

describe('resilience on a real NATS and PostgreSQL', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  let other: INestApplication;
  let client: NatsConnection;
  let dependency: Server | undefined;

  const publish = (projectId: string, work: Work) => {
    const envelope = createEnvelope(Work, projectId, work);
    return jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
  };

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    dependencyPort = await freePort();
    app = await startApp(nats, database, 'main', WorkController);
    other = await startApp(nats, database, 'other', OtherServiceController);
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    dependency?.close();
    await client?.close();
    await app?.close();
    await other?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('parks a 2 MB outbox row with its error and publishes the rows after it, of every project', async () => {
    const outbox = app.get(Outbox);
    const dataSource = app.get(DataSource);
    const big = createEnvelope(Work, 'pbig', { n: 100, mode: 'ok', text: 'x'.repeat(2 * 1024 * 1024) });
    const sameProject = createEnvelope(Work, 'pbig', { n: 101, mode: 'ok' });
    const otherProject = createEnvelope(Work, 'psmall', { n: 102, mode: 'ok' });
    await dataSource.transaction((manager) => outbox.add(manager, big, sameProject, otherProject));
    outbox.publishSoon();

    await eventually(() => (handled.get('main') ?? []).includes(101) && (handled.get('main') ?? []).includes(102), { timeoutMs: 5_000 });
    // Publishes are pipelined: the rows after the big one may be handled before its refusal is written as parked.
    const [parked] = await eventually(async () => {
      const rows = await outbox.parked();
      return rows.length > 0 && rows;
    }, { timeoutMs: 5_000, message: 'the 2 MB row was never parked' });
    expect(parked).toMatchObject({ id: big.id, projectId: 'pbig', attempts: 1 });
    expect(parked.lastError).toMatch(/max_payload/);
    expect(parked.sizeBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(await outbox.stats()).toEqual({ pending: 0, parked: 1, oldestPendingAgeSeconds: 0 });

    // Re-driven, it is tried again (and, still too large, parked again with a fresh count).
    expect(await outbox.redrive(big.id)).toEqual([big.id]);
    await eventually(async () => (await outbox.parked()).length === 1 && (await outbox.stats()).pending === 0, { timeoutMs: 5_000 });
    expect(handled.get('main')).not.toContain(100);
  });

  it("keeps a project's rows behind its row that waits for a retry, while other projects go on", async () => {
    const outbox = app.get(Outbox);
    const dataSource = app.get(DataSource);
    const waiting = createEnvelope(Work, 'pwait', { n: 110, mode: 'ok' });
    const behind = createEnvelope(Work, 'pwait', { n: 111, mode: 'ok' });
    const elsewhere = createEnvelope(Work, 'pgo', { n: 112, mode: 'ok' });
    // As the relay leaves a row after a failed try: its next attempt in the future.
    await dataSource.query(
      `INSERT INTO main.outbox_message (id, subject, envelope, attempts, last_error, next_attempt_at)
       VALUES ($1, $2, $3, 1, 'try again', now() + interval '1 hour')`,
      [waiting.id, subjectOf(waiting), JSON.stringify(waiting)],
    );
    await dataSource.transaction((manager) => outbox.add(manager, behind, elsewhere));
    outbox.publishSoon();
    await eventually(() => (handled.get('main') ?? []).includes(112), { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(handled.get('main')).not.toContain(111);
    expect((await outbox.stats()).pending).toBe(2);

    await dataSource.query(`UPDATE main.outbox_message SET next_attempt_at = now() WHERE id = $1`, [waiting.id]);
    outbox.publishSoon();
    await eventually(() => (handled.get('main') ?? []).includes(111), { timeoutMs: 5_000 });
    expect((handled.get('main') ?? []).filter((n) => n === 110 || n === 111)).toEqual([110, 111]);
  });

  it('holds an event through an outage longer than the old dead-letter window, then handles it once, in order', async () => {
    await publish('pout', { n: 200, mode: 'refused' });
    await publish('pout', { n: 201, mode: 'ok' });
    await publish('pout', { n: 202, mode: 'ok' });
    await eventually(() => (calls.get(200) ?? 0) >= 3, { timeoutMs: 5_000 });
    // Four times the old window (3 attempts, 0.3 s) and past the 1 s ack wait: nothing dead-lettered, nothing spins.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await countDeadLetters(client, 'main')).toBe(0);
    expect(calls.get(200)).toBeLessThan(20);
    expect(handled.get('main') ?? []).not.toContain(201);

    dependency = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dependency!.listen(dependencyPort, '127.0.0.1', resolve));
    await eventually(() => (handled.get('main') ?? []).includes(202), { timeoutMs: 5_000 });
    // The events pulled with the held one kept their leases: none was redelivered and handled a second time.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const order = (handled.get('main') ?? []).filter((n) => n >= 200 && n <= 202);
    expect(order).toEqual([200, 201, 202]);
    expect(await countDeadLetters(client, 'main')).toBe(0);
  });

  it('dead-letters a permanent failure at once, never redelivers it, and replays it once for its own consumer only', async () => {
    await publish('pperm', { n: 300, mode: 'reject-once' });
    const [letter] = await eventually(async () => {
      const letters = await listDeadLetters(client, 'main');
      return letters.length > 0 ? letters : null;
    }, { timeoutMs: 5_000 });
    expect(letter).toMatchObject({ service: 'main', consumer: 'main__ticket_any_work', subject: Work.subject('pperm'), kind: 'permanent', attempts: 1 });
    expect(letter.reason).toContain('version not understood');
    // Past the ack wait (1 s): a terminated event stays terminated (nats-server 2.9 ignores `+TERM <reason>`).
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(calls.get(300)).toBe(1);
    await eventually(() => (handled.get('other') ?? []).includes(300));

    const [first, second] = await Promise.all([replayDeadLetters(client, 'main', letter.seq), replayDeadLetters(client, 'main', letter.seq)]);
    expect([...first.replayed, ...second.replayed]).toHaveLength(1);
    await eventually(() => (handled.get('main') ?? []).includes(300), { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((handled.get('main') ?? []).filter((n) => n === 300)).toHaveLength(1);
    expect((handled.get('other') ?? []).filter((n) => n === 300)).toHaveLength(1);
    expect(await listDeadLetters(client, 'main')).toEqual([]);
    expect((await replayDeadLetters(client, 'main')).replayed).toEqual([]);
    const jsm = await jetstreamManager(client);
    expect((await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages).toBe(0);
  });
});
