import 'reflect-metadata';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, type EventEnvelope } from '@ensoras/contracts';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { Inbox } from '../inbox/inbox.service.js';
import { Outbox } from './outbox.service.js';
import { startMessagingTestApp } from '../test-support/messaging-test-app.js';

/** Big enough to see the per-event round trips, small enough for a shared 2-core machine. */
const BURST = Number(process.env.OUTBOX_BURST ?? 2_000);
const PROJECTS = ['pa', 'pb', 'pc', 'pd'];

const Step = defineEvent<{ n: number }>('ticket', 'step');
const seen = new Map<string, number[]>();
let gate: Promise<void> = Promise.resolve();
/** Time spent inside the handler (its transaction), to tell the handler's share of a burst from the transport's. */
let handlerMs = 0;

@Controller()
class StepController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
  ) {}

  /** As a real consumer does: one transaction per event that claims it (one row written). */
  @EventPattern<string>(Step.anyProject)
  async handle(@Payload() envelope: EventEnvelope<{ n: number }>): Promise<void> {
    await gate;
    const startedAt = performance.now();
    const fresh = await this.dataSource.transaction((manager) => this.inbox.claim(manager, 'burst', envelope.id));
    handlerMs += performance.now() - startedAt;
    if (fresh) seen.set(envelope.projectId, [...(seen.get(envelope.projectId) ?? []), envelope.payload.n]);
  }
}

function handledCount(): number {
  return [...seen.values()].reduce((sum, list) => sum + list.length, 0);
}

function perSecond(events: number, startedAt: number, handling = true): string {
  const elapsedMs = performance.now() - startedAt;
  const rate = `${events} events in ${(elapsedMs / 1000).toFixed(2)} s = ${Math.round(events / (elapsedMs / 1000))} events/s`;
  return handling ? `${rate} (handler busy ${Math.round((100 * handlerMs) / elapsedMs)} % of it)` : rate;
}

describe('a burst of events through the outbox into a consumer, on PostgreSQL', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    app = await startMessagingTestApp({ nats, database, service: 'burst', controllers: [StepController] });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  /** Rows as services write them: a few events per transaction, projects interleaved. */
  async function addRows(from: number, count: number): Promise<void> {
    const outbox = app.get(Outbox);
    const envelopes = Array.from({ length: count }, (_, i) => createEnvelope(Step, PROJECTS[(from + i) % PROJECTS.length], { n: from + i }));
    for (let i = 0; i < envelopes.length; i += 50) {
      await app.get(DataSource).transaction((manager) => outbox.add(manager, ...envelopes.slice(i, i + 50)));
    }
  }

  function expectEachOnceInOrder(total: number): void {
    expect(handledCount()).toBe(total);
    for (const [project, list] of seen) {
      expect(list, project).toEqual([...list].sort((a, b) => a - b));
      expect(new Set(list).size, project).toBe(list.length);
    }
  }

  it('relays the burst to JetStream, then the consumer handles it, each event once and in order per project', async () => {
    let openGate!: () => void;
    gate = new Promise((resolve) => (openGate = resolve));
    await addRows(0, BURST);

    const relayStartedAt = performance.now();
    app.get(Outbox).publishSoon();
    await eventually(async () => (await app.get(Outbox).stats()).pending === 0, { timeoutMs: 120_000, intervalMs: 20 });
    console.log(`outbox relay: ${perSecond(BURST, relayStartedAt, false)}`);

    const consumerStartedAt = performance.now();
    handlerMs = 0;
    openGate();
    await eventually(() => handledCount() >= BURST, { timeoutMs: 120_000, intervalMs: 20 });
    console.log(`consumer: ${perSecond(BURST, consumerStartedAt)}`);
    expectEachOnceInOrder(BURST);
  }, 300_000);

  it('carries a burst end to end (relay and consumer at once)', async () => {
    await addRows(BURST, BURST);
    const startedAt = performance.now();
    handlerMs = 0;
    app.get(Outbox).publishSoon();
    await eventually(() => handledCount() >= 2 * BURST, { timeoutMs: 120_000, intervalMs: 20 });
    console.log(`end to end: ${perSecond(BURST, startedAt)}`);
    expectEachOnceInOrder(2 * BURST);
  }, 300_000);

  it('loses nothing and keeps the order per project when nats-server is killed mid-burst', async () => {
    const outbox = app.get(Outbox);
    await addRows(2 * BURST, BURST);
    outbox.publishSoon();
    await eventually(async () => (await outbox.stats()).pending < BURST * 0.8, { timeoutMs: 60_000, intervalMs: 10 });
    await nats.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await nats.start();
    await eventually(() => handledCount() >= 3 * BURST, { timeoutMs: 120_000, intervalMs: 50 });
    expectEachOnceInOrder(3 * BURST);
    // The outage was nobody's fault: no row parked, none charged with a failed attempt.
    const [rows] = await app.get(DataSource).query(
      `SELECT count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked, max(attempts) AS attempts FROM burst.outbox_message`,
    );
    expect(rows).toEqual({ parked: '0', attempts: 1 });
  }, 300_000);
});
