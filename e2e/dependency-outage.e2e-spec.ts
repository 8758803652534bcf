import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, MailReceived, type MailReceivedPayload, type TicketPage } from '@ensoras/contracts';
import { countDeadLetters } from '@ensoras/messaging';
import {
  createTestDatabase,
  eventually,
  startNats,
  startServiceProcess,
  startTcpProxy,
  type NatsTestServer,
  type ServiceProcess,
  type TcpProxy,
  type TestDatabase,
} from '@ensoras/testing';

const ADMIN_TOKEN = 'outage-test-admin-token-0123';
const PROJECT = 'outage';

/** A mail.received as mail-ingest publishes it. */
function mailReceived(subject: string): MailReceivedPayload {
  return {
    source: { mailbox: 'INBOX', uidValidity: '1', uid: Math.floor(Math.random() * 1e9) },
    rawObjectKey: `${PROJECT}/1/${randomUUID()}`,
    size: 512,
    messageId: `<${randomUUID()}@customer.example>`,
    messageIdGenerated: false,
    inReplyTo: null,
    references: [],
    subject,
    from: { address: 'anna@customer.example', name: 'Anna' },
    to: [{ address: 'support@acme.example', name: 'Acme' }],
    cc: [],
    replyTo: [],
    date: new Date().toISOString(),
    headers: {},
    text: 'Hello there',
    newText: 'Hello there',
    html: null,
    truncated: false,
    oversized: false,
    attachments: [],
    classification: { kind: 'normal', reasons: [] },
    bounce: null,
  };
}

/**
 * The built ticketing service, started while NATS and PostgreSQL are both unreachable (a TCP proxy in front of
 * each refuses connections, as a stopped server does), and later losing its database while it runs.
 */
describe('a service outlives its dependencies', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let natsProxy: TcpProxy;
  let databaseProxy: TcpProxy;
  let service: ServiceProcess;
  let client: NatsConnection;

  const status = async (path: string) => (await fetch(`${service.url}${path}`).catch(() => null))?.status ?? 0;
  const tickets = async () => {
    const response = await fetch(`${service.url}/v1/projects/${PROJECT}/tickets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return response.ok ? ((await response.json()) as TicketPage).items : [];
  };
  const publishMail = async (subject: string) => {
    const envelope = createEnvelope(MailReceived, PROJECT, mailReceived(subject));
    await jetstream(client).publish(MailReceived.subject(PROJECT), JSON.stringify(envelope), { msgID: envelope.id });
  };

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    natsProxy = await startTcpProxy({ host: '127.0.0.1', port: nats.port });
    const postgres = new URL(database.url);
    databaseProxy = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    await Promise.all([natsProxy.cut(), databaseProxy.cut()]);
    postgres.host = `${databaseProxy.host}:${databaseProxy.port}`;
    service = await startServiceProcess('ticketing', {
      NATS_URL: `nats://${natsProxy.host}:${natsProxy.port}`,
      DATABASE_URL: postgres.toString(),
      ADMIN_TOKEN,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'outage-')),
      LOG_LEVEL: 'warn',
    });
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    if (process.env.SHOW_SERVICE_LOGS) console.log(service?.logs());
    await client?.close();
    await service?.stop();
    await Promise.all([natsProxy?.stop(), databaseProxy?.stop()]);
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('starts while NATS and the database are down: live, not ready, and it does not exit', async () => {
    await eventually(async () => (await status('/health/live')) === 200, { timeoutMs: 20_000, message: `no /health/live:\n${service.logs()}` });
    expect(await status('/health/ready')).toBe(503);
    expect(await status('/health')).toBe(503);
    // Longer than the old start-up gave up (TypeORM 5 × 1 s; the JetStream timeout).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(service.exitCode()).toBeNull();
    expect(await status('/health/live')).toBe(200);
    expect(await status('/health/ready')).toBe(503);
  });

  it('becomes ready once NATS and the database come back, and handles an event published then', async () => {
    await natsProxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await status('/health/ready')).toBe(503);
    await databaseProxy.restore();
    await eventually(async () => (await status('/health/ready')) === 200, { timeoutMs: 30_000, message: `never ready:\n${service.logs()}` });

    await publishMail('after the outage');
    const [ticket] = await eventually(async () => {
      const items = await tickets();
      return items.length === 1 ? items : null;
    }, { timeoutMs: 10_000 });
    expect(ticket.subject).toBe('after the outage');
  });

  it('holds events while its database is down, dead-letters none of them, and handles them when it returns', async () => {
    await databaseProxy.cut();
    await publishMail('during the outage 1');
    await publishMail('during the outage 2');
    await eventually(async () => (await status('/health/ready')) === 503, { timeoutMs: 10_000 });
    expect(await status('/health/live')).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await countDeadLetters(client, 'ticketing')).toBe(0);

    await databaseProxy.restore();
    await eventually(async () => (await tickets()).length === 3, { timeoutMs: 30_000, message: `tickets missing:\n${service.logs()}` });
    expect((await tickets()).map((ticket) => ticket.subject).sort()).toEqual(['after the outage', 'during the outage 1', 'during the outage 2']);
    expect(await countDeadLetters(client, 'ticketing')).toBe(0);
    expect(service.exitCode()).toBeNull();
  });
});
