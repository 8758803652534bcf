import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, subjectOf, type EventEnvelope } from '@ensoras/contracts';
import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000, MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { PublicRoute } from '../access/access.decorators.js';
import { ApiAccessModule } from '../access/api-access.module.js';
import { startService } from '../bootstrap.js';
import { HealthModule } from '../health.module.js';
import { SERVICE_METRICS } from './metric-catalog.js';

const Parcel = defineEvent<{ n: number }>('ticket', 'parcel');
const CONSUMER = 'metered__ticket_any_parcel';

/** Parcel 1 waits until released; parcel 2 fails once, comes again and then waits too; parcel 3 goes through. */
let release: () => void = () => undefined;
const held = new Promise<void>((resolve) => (release = resolve));
let parcelTwoFailed = false;
const handled: number[] = [];

@Controller()
class ParcelController {
  @EventPattern<string>(Parcel.anyProject)
  async handle(@Payload() envelope: EventEnvelope<{ n: number }>): Promise<void> {
    if (envelope.payload.n === 2 && !parcelTwoFailed) {
      parcelTwoFailed = true;
      throw new Error('parcel 2 is not ready yet');
    }
    if (envelope.payload.n !== 3) await held;
    handled.push(envelope.payload.n);
  }
}

@Controller('v1/projects/:projectId/parcels')
@PublicRoute()
class ParcelsController {
  @Get()
  list(@Param('projectId') projectId: string) {
    return { projectId, parcels: [] };
  }
}

/** The value of the one series named with exactly these labels (in any order), or undefined when there is none. */
function valueOf(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).sort().join(',');
  for (const line of metrics.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if ((match[2] ?? '').split(',').filter(Boolean).sort().join(',') === wanted) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics of a running service', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let client: NatsConnection;
  const scrape = async () => (await fetch(`${url}/metrics`)).text();

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    @Module({
      imports: [
        PersistenceModule.forRoot({
          schema: 'metered',
          entities: MESSAGING_ENTITIES,
          migrations: [CreateMessagingTables1764000000000, AddOutboxParking1796000000000],
          databaseUrl: database.url,
          dataDir: mkdtempSync(join(tmpdir(), 'metrics-')),
        }),
        MessagingModule.forRoot({ serviceName: 'metered', nats: { NATS_URL: nats.url } }),
        HealthModule.forRoot(),
        ApiAccessModule.forRoot({ adminToken: undefined, rateLimitPerMinute: 600 }),
      ],
      controllers: [ParcelController, ParcelsController],
    })
    class MeteredModule {}
    app = await startService({ name: 'metered', module: MeteredModule, port: 0, host: '127.0.0.1', durableName: 'metered' });
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    client = await connect({ servers: nats.url });
    await eventually(async () => (await fetch(`${url}/health/ready`)).status === 200, { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    release();
    await client?.close();
    await app?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('counts and times HTTP requests by route template, never by the URL', async () => {
    for (const project of ['p1', 'p1', 'p2']) expect((await fetch(`${url}/v1/projects/${project}/parcels`)).status).toBe(200);
    expect((await fetch(`${url}/v1/nothing/here`)).status).toBe(404);
    const metrics = await scrape();
    const route = { method: 'GET', route: '/v1/projects/:projectId/parcels', status: '200', service: 'metered' };
    expect(valueOf(metrics, 'ensoras_http_requests_total', route)).toBe(3);
    expect(valueOf(metrics, 'ensoras_http_request_duration_seconds_count', route)).toBe(3);
    expect(valueOf(metrics, 'ensoras_http_requests_total', { method: 'GET', route: 'unmatched', status: '404', service: 'metered' })).toBe(1);
    expect(metrics).not.toMatch(/route="[^"]*(p1|p2|nothing)/);
    // Every series the runtime's catalog promises is on /metrics (the dashboard and alert rules are checked against it).
    for (const metric of SERVICE_METRICS) expect(metrics).toContain(`# TYPE ${metric.name} `);
    // Node's process metrics under their usual names, labelled with the service too.
    expect(valueOf(metrics, 'process_cpu_user_seconds_total', { service: 'metered' })).toBeGreaterThan(0);
  });

  it("reads the consumer's pending and redelivered events from JetStream, and counts redeliveries", async () => {
    const js = jetstream(client);
    for (const n of [1, 2, 3]) {
      const envelope = createEnvelope(Parcel, n === 1 ? 'p-held' : 'p-other', { n });
      await js.publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
    }
    const consumer = { stream: 'TICKETS', consumer: CONSUMER, service: 'metered' };
    // Parcels 1 and 2 (the second delivery) are held: both unacknowledged, one of them delivered twice.
    const metrics = await eventually(async () => {
      const text = await scrape();
      return valueOf(text, 'ensoras_event_redeliveries_total', { consumer: CONSUMER, service: 'metered' }) === 1 ? text : null;
    }, { timeoutMs: 10_000 });
    expect(handled).toEqual([3]);
    expect(valueOf(metrics, 'ensoras_consumer_ack_pending_messages', consumer)).toBe(2);
    expect(valueOf(metrics, 'ensoras_consumer_pending_messages', consumer)).toBe(0);
    expect(valueOf(metrics, 'ensoras_consumer_redelivered_messages', consumer)).toBe(1);
    expect(valueOf(metrics, 'ensoras_event_handler_failures_total', { consumer: CONSUMER, kind: 'unknown', service: 'metered' })).toBe(1);

    release();
    const settled = await eventually(async () => {
      const text = await scrape();
      return valueOf(text, 'ensoras_consumer_ack_pending_messages', consumer) === 0 ? text : null;
    }, { timeoutMs: 10_000 });
    expect(handled.sort()).toEqual([1, 2, 3]);
    expect(valueOf(settled, 'ensoras_consumer_redelivered_messages', consumer)).toBe(0);
    expect(valueOf(settled, 'ensoras_dead_letters_stored', { service: 'metered' })).toBe(0);
    expect(valueOf(settled, 'ensoras_outbox_oldest_pending_age_seconds', { service: 'metered' })).toBe(0);
    expect(valueOf(settled, 'ensoras_outbox_rows', { state: 'pending', service: 'metered' })).toBe(0);
  });
});
