import 'reflect-metadata';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, subjectOf, type EventEnvelope } from '@ensoras/contracts';
import { consumerDrained, createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { Outbox } from './outbox/outbox.service.js';
import { IDLE_POLL_MS } from './outbox/relay-poll-schedule.js';
import { startMessagingTestApp } from './test-support/messaging-test-app.js';

const Probe = defineEvent<{ n: number; failTimes: number }>('ticket', 'probe');
const attemptsSeen = new Map<number, number>();
const Slow = defineEvent<{ n: number }>('ticket', 'slow');
const slowHandled: number[] = [];

@Controller()
class ProbeController {
  @EventPattern<string>(Probe.anyProject)
  handle(@Payload() envelope: EventEnvelope<{ n: number; failTimes: number }>): void {
    const seen = (attemptsSeen.get(envelope.payload.n) ?? 0) + 1;
    attemptsSeen.set(envelope.payload.n, seen);
    if (seen <= envelope.payload.failTimes) throw new Error(`failing on purpose (${seen})`);
  }
}

@Controller()
class SlowController {
  @EventPattern<string>(Slow.anyProject)
  async handle(@Payload() envelope: EventEnvelope<{ n: number }>): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    slowHandled.push(envelope.payload.n);
  }
}

/** A service that handles `Slow` events, as a replica that is stopped and started again. */
function startSlowService(nats: NatsTestServer, database: TestDatabase): Promise<INestApplication> {
  return startMessagingTestApp({ nats, database, service: 'slow', controllers: [SlowController] });
}

describe('messaging on a real NATS and PostgreSQL', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  let client: NatsConnection;

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    app = await startMessagingTestApp({
      nats,
      database,
      service: 'probe',
      controllers: [ProbeController],
      consumer: { maxAttempts: 3, backoffMs: [100, 200] },
    });
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('acknowledges a handled event once', async () => {
    await jetstream(client).publish(Probe.subject('p1'), JSON.stringify(createEnvelope(Probe, 'p1', { n: 1, failTimes: 0 })));
    await eventually(() => attemptsSeen.get(1) === 1);
    const jsm = await jetstreamManager(client);
    await eventually(async () => (await jsm.consumers.info('TICKETS', 'probe__ticket_any_probe')).num_ack_pending === 0);
    expect(attemptsSeen.get(1)).toBe(1);
  });

  it('redelivers a failing event with back-off until it succeeds', async () => {
    await jetstream(client).publish(Probe.subject('p1'), JSON.stringify(createEnvelope(Probe, 'p1', { n: 2, failTimes: 2 })));
    await eventually(() => attemptsSeen.get(2) === 3, { timeoutMs: 10_000 });
  });

  it('parks an event on the dead-letter subject after the last attempt', async () => {
    const envelope = createEnvelope(Probe, 'p1', { n: 3, failTimes: 99 });
    await jetstream(client).publish(Probe.subject('p1'), JSON.stringify(envelope));
    const jsm = await jetstreamManager(client);
    const dead = await eventually(async () => {
      const info = await jsm.streams.info('DEADLETTER').catch(() => null);
      return info && info.state.messages > 0 ? info : null;
    }, { timeoutMs: 10_000 });
    expect(dead.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage('DEADLETTER', { last_by_subj: `deadletter.probe.${Probe.subject('p1')}` });
    expect(stored?.json<EventEnvelope>().id).toBe(envelope.id);
    expect(stored?.header.get('Ensoras-Error')).toContain('failing on purpose');
    expect(attemptsSeen.get(3)).toBe(3);
  });

  it('publishes outbox rows only when their transaction commits, each exactly once', async () => {
    const outbox = app.get(Outbox);
    const dataSource = app.get(DataSource);
    const committed = createEnvelope(Probe, 'p2', { n: 10, failTimes: 0 });
    const rolledBack = createEnvelope(Probe, 'p2', { n: 11, failTimes: 0 });
    // transaction() commits, then kicks the relay; what work returns comes back.
    const result = await outbox.transaction(async (_manager, enqueue) => {
      await enqueue(committed);
      return 'done';
    });
    expect(result).toBe('done');
    await expect(
      outbox.transaction(async (manager) => {
        await outbox.add(manager, rolledBack);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await eventually(() => attemptsSeen.get(10) === 1);
    // A re-publish of the same envelope (a relay that crashed before marking the row) is dropped by JetStream.
    const ack = await jetstream(client).publish(subjectOf(committed), JSON.stringify(committed), { msgID: committed.id });
    expect(ack.duplicate).toBe(true);
    await consumerDrained(client, 'TICKETS', 'probe__ticket_any_probe');
    expect(attemptsSeen.get(10)).toBe(1);
    expect(attemptsSeen.has(11)).toBe(false);
    const [row] = await dataSource.query(`SELECT published_at FROM probe.outbox_message WHERE id = $1`, [committed.id]);
    expect(row.published_at).not.toBeNull();
  });

  it('publishes a row no kick announced (another replica died before publishing it) within IDLE_POLL_MS, also from an idle relay', async () => {
    // Long enough without rows for the relay to reach its longest interval (0.5, 1, 2, 4, then 5 s).
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const unannounced = createEnvelope(Probe, 'p3', { n: 20, failTimes: 0 });
    // add() in a plain transaction, without publishSoon(): only the poll can find it.
    await app.get(DataSource).transaction((manager) => app.get(Outbox).add(manager, unannounced));
    const committedAt = Date.now();
    await eventually(() => attemptsSeen.get(20) === 1, { timeoutMs: IDLE_POLL_MS + 5_000, intervalMs: 50 });
    expect(Date.now() - committedAt).toBeLessThan(IDLE_POLL_MS + 1_000);
  });

  it('hands back the events it pulled but had not handled when it stops, so the next replica handles them at once, in order', async () => {
    const first = await startSlowService(nats, database);
    const js = jetstream(client);
    for (let n = 1; n <= 10; n++) await js.publish(Slow.subject('p3'), JSON.stringify(createEnvelope(Slow, 'p3', { n })));
    await eventually(() => slowHandled.length >= 2);
    await first.close();
    const stoppedAt = slowHandled.length;
    expect(stoppedAt).toBeLessThan(10);

    // Well within the 60 s ack wait that events still leased to the stopped replica would sit out.
    const second = await startSlowService(nats, database);
    try {
      await eventually(() => slowHandled.length >= 10, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(slowHandled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      await second.close();
    }
  });
});
