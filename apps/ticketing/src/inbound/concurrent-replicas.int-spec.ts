import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, MailReceived, STREAMS, type MailReceivedPayload, type TicketDetailView, type TicketPage } from '@ensoras/contracts';
import { consumerName } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { TicketingEnvironment } from '../config/ticketing.environment.js';
import { mailReceivedPayload } from '../test-support/ticketing-harness.js';

const ADMIN_TOKEN = 'ticketing-replicas-admin-token';
const PROJECT = 'p-replicas';
const THREADS = 8;

let nats: NatsTestServer;
let database: TestDatabase;
let dataDir: string;
let replicas: INestApplication[] = [];
let baseUrl: string;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  [nats, database, dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'ticketing-replicas-'))]);
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  // Two replicas of the service on one database, sharing the durable consumers: each event goes to one of them.
  const environment = Object.assign(new TicketingEnvironment(), { NATS_URL: nats.url, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: 0, ADMIN_TOKEN });
  for (let i = 0; i < 2; i++) {
    replicas.push(await startService({ name: `ticketing-${i}`, module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'ticketing' }));
  }
  baseUrl = (await replicas[0]!.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  for (const replica of replicas) await replica.close();
  replicas = [];
  await nc?.close();
  await nats?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('ticketing: two replicas handling related mail at the same moment', () => {
  it('makes one ticket per thread and one message per Message-ID', { timeout: 90_000 }, async () => {
    const threads = Array.from({ length: THREADS }, (_, i) => {
      const original = `<original-${i}-${randomUUID()}@customer.example>`;
      const reply = `<reply-${i}-${randomUUID()}@customer.example>`;
      return { subject: `Thread ${i}`, original, reply };
    });
    // Published back to back, so the two replicas take the mails of one thread at the same time; half of the
    // replies come before their original. Every mail is also published twice (a re-import).
    for (const [i, thread] of threads.entries()) {
      const original = mail({ messageId: thread.original, subject: thread.subject });
      const reply = mail({ messageId: thread.reply, subject: `Re: ${thread.subject}`, inReplyTo: thread.original, references: [thread.original] });
      const order = i % 2 === 0 ? [original, reply] : [reply, original];
      for (const payload of [...order, ...order]) await publish(payload);
    }

    // Conflicts are retried after a back-off of a second: wait until the shared consumer has nothing left, retries included.
    const jsm = await jetstreamManager(nc);
    await eventually(
      async () => {
        const info = await jsm.consumers.info(STREAMS.mail, consumerName('ticketing', MailReceived.anyProject));
        return info.delivered.stream_seq >= THREADS * 4 && info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'the replicas did not work through the mail' },
    );
    const page = (await (await api(`/v1/projects/${PROJECT}/tickets?limit=100`)).json()) as TicketPage;
    const tickets = await Promise.all(page.items.map(async (t) => (await (await api(`/v1/projects/${PROJECT}/tickets/${t.id}`)).json()) as TicketDetailView));

    expect(tickets).toHaveLength(THREADS);
    for (const thread of threads) {
      const ticket = tickets.find((t) => t.messages.some((m) => m.messageId === thread.original))!;
      expect(ticket.subject).toBe(thread.subject);
      expect(ticket.messages.map((m) => m.messageId).sort()).toEqual([thread.original, thread.reply].sort());
      expect(ticket.messageCount).toBe(2);
    }
  });
});

let uid = 0;

function mail(overrides: Partial<MailReceivedPayload>): MailReceivedPayload {
  uid++;
  return mailReceivedPayload(PROJECT, uid, {
    size: 100,
    from: { address: 'dana@customer.example', name: 'Dana' },
    to: [{ address: 'support@acme.example', name: 'Support' }],
    date: null,
    text: 'Hello',
    newText: 'Hello',
    ...overrides,
  });
}

async function publish(payload: MailReceivedPayload): Promise<void> {
  const envelope = createEnvelope(MailReceived, PROJECT, payload);
  await js.publish(MailReceived.subject(PROJECT), JSON.stringify(envelope), { msgID: envelope.id });
}

function api(path: string): Promise<Response> {
  return fetch(baseUrl + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}
