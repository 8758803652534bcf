import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, type INestApplication, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, subjectOf, type EventEnvelope } from '@ensoras/contracts';
import {
  AddOutboxParking1796000000000,
  CreateMessagingTables1764000000000,
  MESSAGING_ENTITIES,
  MessagingModule,
  Outbox,
  PermanentEventError,
} from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { consumerDrained, createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { ApiAccessModule } from '../access/api-access.module.js';
import { startService } from '../bootstrap.js';
import { HealthModule } from '../health.module.js';
import { MessagingAdminModule } from './messaging-admin.module.js';

const TOKEN = 'messaging-admin-test-token';
const Order = defineEvent<{ n: number }>('ticket', 'order');
const seen: number[] = [];
let rejectFirst = true;

@Controller()
class OrderController {
  @EventPattern<string>(Order.anyProject)
  handle(@Payload() envelope: EventEnvelope<{ n: number }>): void {
    if (rejectFirst) {
      rejectFirst = false;
      throw new PermanentEventError(`order ${envelope.payload.n} fails validation`);
    }
    seen.push(envelope.payload.n);
  }
}

async function start(nats: NatsTestServer, database: TestDatabase, service: string, adminToken?: string) {
  @Module({
    imports: [
      PersistenceModule.forRoot({
        schema: service.replace(/-/g, '_'),
        entities: MESSAGING_ENTITIES,
        migrations: [CreateMessagingTables1764000000000, AddOutboxParking1796000000000],
        databaseUrl: database.url,
        dataDir: mkdtempSync(join(tmpdir(), 'admin-')),
      }),
      MessagingModule.forRoot({ serviceName: service, nats: { NATS_URL: nats.url } }),
      HealthModule.forRoot({ outboxMaxAgeSeconds: 60 }),
      ApiAccessModule.forRoot({ adminToken, rateLimitPerMinute: 600 }),
      MessagingAdminModule.forRoot({ adminToken }),
    ],
    controllers: [OrderController],
  })
  class ServiceModule {}
  // Only the service with the token consumes: the handler's bookkeeping is shared by the two.
  const app = await startService({ name: service, module: ServiceModule, port: 0, host: '127.0.0.1', durableName: adminToken ? service : undefined });
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('messaging admin routes, readiness and metrics of a service', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let tokenless: INestApplication;
  let tokenlessUrl: string;
  let client: NatsConnection;
  const admin = (path: string, method = 'GET', token: string | null = TOKEN) =>
    fetch(`${url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    ({ app, url } = await start(nats, database, 'orders', TOKEN));
    ({ app: tokenless, url: tokenlessUrl } = await start(nats, database, 'orders-open'));
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await tokenless?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('is live and ready, with no tenant data', async () => {
    await eventually(async () => (await fetch(`${url}/health/ready`)).status === 200, { timeoutMs: 10_000 });
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    const ready = (await (await fetch(`${url}/health`)).json()) as { details: Record<string, unknown> };
    expect(Object.keys(ready.details).sort()).toEqual(['consumers', 'database', 'nats', 'outbox']);
  });

  it('guards the routes with the admin token, and has none without ADMIN_TOKEN', async () => {
    expect((await admin('/v1/dead-letters', 'GET', null)).status).toBe(401);
    expect((await admin('/v1/outbox/parked', 'GET', 'wrong-token-wrong-token')).status).toBe(401);
    expect((await fetch(`${tokenlessUrl}/v1/dead-letters`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${tokenlessUrl}/v1/outbox/parked`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('lists a dead letter and replays it once, counted in /metrics', async () => {
    const envelope = createEnvelope(Order, 'p1', { n: 7 });
    await jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
    const letters = await eventually(async () => {
      const body = (await (await admin('/v1/dead-letters')).json()) as { deadLetters: { seq: number; eventId: string; kind: string; reason: string }[] };
      return body.deadLetters.length > 0 ? body.deadLetters : null;
    }, { timeoutMs: 5_000 });
    expect(letters).toEqual([expect.objectContaining({ eventId: envelope.id, kind: 'permanent', reason: 'order 7 fails validation' })]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^ensoras_dead_letters_published_total\{consumer="orders__ticket_any_order",kind="permanent",service="orders"\} 1$/m);
    expect(metrics).toMatch(/^ensoras_dead_letters_stored\{service="orders"\} 1$/m);

    expect((await admin('/v1/dead-letters/999999/replay', 'POST')).status).toBe(404);
    const replay = await admin(`/v1/dead-letters/${letters[0].seq}/replay`, 'POST');
    expect(replay.status).toBe(200);
    await eventually(() => seen.includes(7), { timeoutMs: 5_000 });
    expect((await admin(`/v1/dead-letters/${letters[0].seq}/replay`, 'POST')).status).toBe(404);
    await consumerDrained(client, 'TICKETS', 'orders__ticket_any_order');
    expect(seen.filter((n) => n === 7)).toHaveLength(1);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^ensoras_dead_letters_stored\{service="orders"\} 0$/m);
  });

  it('lists a parked outbox row and re-drives it', async () => {
    const outbox = app.get(Outbox);
    const big = createEnvelope(Order, 'p2', { n: 8, padding: 'x'.repeat(1_100_000) } as { n: number });
    await app.get(DataSource).transaction((manager) => outbox.add(manager, big));
    outbox.publishSoon();
    const parked = await eventually(async () => {
      const body = (await (await admin('/v1/outbox/parked')).json()) as { parked: { id: string; lastError: string }[] };
      return body.parked.length > 0 ? body.parked : null;
    }, { timeoutMs: 5_000 });
    expect(parked[0]).toMatchObject({ id: big.id });
    expect(parked[0].lastError).toMatch(/max_payload/);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^ensoras_outbox_rows\{state="parked",service="orders"\} 1$/m);
    expect((await admin('/v1/outbox/parked/not-a-uuid/redrive', 'POST')).status).toBe(400);
    const redrive = await admin(`/v1/outbox/parked/${big.id}/redrive`, 'POST');
    expect(await redrive.json()).toEqual({ redriven: [big.id] });
  });

  it('is not ready while the oldest unpublished outbox row is older than the limit', async () => {
    const dataSource = app.get(DataSource);
    const stuck = createEnvelope(Order, 'p3', { n: 9 });
    // A row waiting for its next try, written an hour ago: the relay is as good as stuck.
    await dataSource.query(
      `INSERT INTO orders.outbox_message (id, subject, envelope, created_at, next_attempt_at) VALUES ($1, $2, $3, now() - interval '1 hour', now() + interval '1 hour')`,
      [stuck.id, subjectOf(stuck), JSON.stringify(stuck)],
    );
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: Record<string, { oldestPendingAgeSeconds: number }> };
    expect(body.error.outbox.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(3_600);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^ensoras_outbox_oldest_pending_age_seconds\{service="orders"\} 36\d\d/m);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    await dataSource.query(`DELETE FROM orders.outbox_message WHERE id = $1`, [stuck.id]);
  });
});
