/**
 * A project whose SMTP password is revoked: mail-outbound against an SMTP server that rejects the login (behind a TCP
 * proxy that counts connections, i.e. login attempts), nats-server and PostgreSQL. Its replies are held, not failed;
 * after AUTH_FAILURES_BEFORE_PAUSE rejections no login is tried (across a restart too) and channel.email.paused is
 * published once; a new revision of the settings sends every held reply exactly once, a ticket's in order.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstream, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  ChannelPaused,
  MailFailed,
  MailSendRequested,
  MailSent,
  createEnvelope,
  type ChannelPausedPayload,
  type ChannelSettingsSnapshot,
  type EventEnvelope,
  type MailFailedPayload,
  type MailSendRequestedPayload,
} from '@ensoras/contracts';
import { startService } from '@ensoras/runtime';
import { SecretBox, channelPasswordContext, decodeKey } from '@ensoras/secrets';
import { createTestDatabase, eventually, startNats, startSmtpServer, startTcpProxy, type NatsTestServer, type SmtpTestServer, type TcpProxy, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';

const PROJECT = 'revoked';
const SMTP_USER = { username: 'support@shop.example', password: 'correct horse battery staple' };
const REVOKED_PASSWORD = 'revoked-app-password-4711';

describe('mail-outbound: a project whose SMTP login is rejected', () => {
  const secretsKey = randomBytes(32).toString('base64');
  const box = new SecretBox(decodeKey(secretsKey));
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-outbound-pause-'));
  let nats: NatsTestServer;
  let database: TestDatabase;
  let smtp: SmtpTestServer;
  let proxy: TcpProxy;
  let app: INestApplication;
  let client: NatsConnection;
  let settings: KV;
  let db: pg.Client;
  /** Every publish, repeats included. */
  const published: EventEnvelope[] = [];
  const subscriptions: Subscription[] = [];
  const tickets = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
  const requests: EventEnvelope<MailSendRequestedPayload>[] = [];

  function snapshot(revision: number, password: string): ChannelSettingsSnapshot {
    const smtpSettings = { host: proxy.host, port: proxy.port, encryption: 'none' as const, username: SMTP_USER.username };
    return {
      projectId: PROJECT,
      enabled: true,
      revision,
      updatedAt: new Date().toISOString(),
      communicationStyle: '',
      imap: null,
      smtp: { ...smtpSettings, validateCertificate: false, password: box.seal(password, channelPasswordContext(PROJECT, 'smtp', smtpSettings)) },
      identity: { fromEmail: 'support@shop.example', fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
    };
  }

  function sendRequest(ticketId: string, subject: string): EventEnvelope<MailSendRequestedPayload> {
    const request = createEnvelope(MailSendRequested, PROJECT, {
      outboundMessageId: randomUUID(),
      ticketId,
      from: { address: 'support@shop.example', name: 'Shop' },
      to: [{ address: 'anna@customer.example', name: 'Anna' }],
      cc: [],
      subject,
      messageId: `<${randomUUID()}@shop.example>`,
      inReplyTo: null,
      references: [],
      text: `Body of ${subject}`,
      html: null,
    });
    requests.push(request);
    return request;
  }

  async function publish(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<void> {
    await jetstream(client).publish(MailSendRequested.subject(PROJECT), JSON.stringify(envelope), { msgID: envelope.id });
  }

  async function startApp(): Promise<void> {
    const environment = Object.assign(new MailOutboundEnvironment(), {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      PORT: 0,
      SECRETS_KEY: secretsKey,
    });
    app = await startService({ name: 'mail-outbound', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'mail-outbound' });
  }

  async function rows(): Promise<Array<{ outbound_message_id: string; status: string; failure_code: string | null }>> {
    const result = await db.query('SELECT outbound_message_id, status, failure_code FROM mail_outbound.delivery WHERE project_id = $1', [PROJECT]);
    return result.rows;
  }

  const pausedEvents = () => published.filter((event) => event.type === ChannelPaused.type) as EventEnvelope<ChannelPausedPayload>[];
  const failures = () => published.filter((event) => event.type === MailFailed.type) as EventEnvelope<MailFailedPayload>[];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    [nats, database, smtp] = await Promise.all([startNats(), createTestDatabase(), startSmtpServer({ mode: 'plain', users: [SMTP_USER] })]);
    proxy = await startTcpProxy({ host: smtp.host, port: smtp.port });
    client = await connect({ servers: nats.url });
    settings = await new Kvm(client).create(CHANNEL_SETTINGS_BUCKET, { storage: StorageType.File, history: 1 });
    await settings.put(PROJECT, JSON.stringify(snapshot(1, REVOKED_PASSWORD)));
    for (const subject of ['mail.*.sent', 'mail.*.failed', 'channel.*.email.paused']) {
      const subscription = client.subscribe(subject);
      subscriptions.push(subscription);
      void (async () => {
        for await (const message of subscription) published.push(message.json());
      })();
    }
    await startApp();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await db?.end();
    await app?.close();
    await client?.close();
    await proxy?.stop();
    await Promise.all([smtp?.stop(), nats?.stop(), database?.drop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds the replies instead of failing them, pauses after the third rejected login, and then tries no more', async () => {
    // Ticket A has three replies, ticket B two, all requested before the first is tried.
    for (const request of [sendRequest(tickets.a, 'A1'), sendRequest(tickets.b, 'B1'), sendRequest(tickets.a, 'A2'), sendRequest(tickets.b, 'B2'), sendRequest(tickets.a, 'A3')]) {
      await publish(request);
    }

    const [paused] = await eventually(() => (pausedEvents().length > 0 ? pausedEvents() : null), { timeoutMs: 30_000, message: 'channel.email.paused was not published' });
    expect(paused!.payload).toMatchObject({ projectId: PROJECT, direction: 'smtp', revision: 1, failures: 3 });
    expect(paused!.payload.reason).toMatch(/SMTP server at 127\.0\.0\.1:\d+ rejected the username or password/);
    expect(JSON.stringify(paused)).not.toContain(REVOKED_PASSWORD);

    await eventually(async () => (await rows()).length === 5 && (await rows()).every((row) => row.status === 'held'), {
      timeoutMs: 10_000,
      message: 'the replies were not all held',
    });
    const loginsAtPause = proxy.connections;
    // One per rejection; two tickets tried side by side may both be on their way when it pauses.
    expect(loginsAtPause).toBeGreaterThanOrEqual(3);
    expect(loginsAtPause).toBeLessThanOrEqual(4);

    // A reply requested while paused is held without a login.
    await publish(sendRequest(tickets.c, 'C1'));
    await eventually(async () => (await rows()).length === 6, { timeoutMs: 10_000 });
    // Parked mail is looked at every 2 s and a rejected try would come back within 30 s; nothing is tried.
    await sleep(6_000);
    expect(proxy.connections).toBe(loginsAtPause);
    expect((await rows()).map((row) => row.status)).toEqual(Array(6).fill('held'));
    expect(failures().filter((failure) => failure.payload.permanent)).toEqual([]);
    expect(failures().find((failure) => failure.payload.code === 'smtp_paused')?.payload.reason).toMatch(/Held, not sent/);
    expect(smtp.messages).toHaveLength(0);
    expect(pausedEvents()).toHaveLength(1);
  });

  it('stays paused across a restart: still no login, no second announcement', async () => {
    const logins = proxy.connections;
    await app.close();
    await startApp();
    await publish(sendRequest(tickets.c, 'C2'));
    await eventually(async () => (await rows()).length === 7, { timeoutMs: 10_000 });
    await sleep(5_000);
    expect(proxy.connections).toBe(logins);
    expect((await rows()).every((row) => row.status === 'held')).toBe(true);
    expect(pausedEvents()).toHaveLength(1);
  });

  it("sends every held reply once, each ticket's in order, when the settings get a new revision", async () => {
    await settings.put(PROJECT, JSON.stringify(snapshot(2, SMTP_USER.password)));

    const mails = await smtp.waitForMessages(requests.length, 30_000);
    await sleep(3_000);
    expect(smtp.messages).toHaveLength(requests.length);
    // Our replies' subjects start with Re: (composeReplyMail).
    const subjects = mails.map((mail) => mail.parsed.subject?.replace(/^Re: /, ''));
    for (const request of requests) expect(subjects.filter((subject) => subject === request.payload.subject)).toHaveLength(1);
    const order = (prefix: string) => subjects.filter((subject) => subject?.startsWith(prefix));
    expect(order('A')).toEqual(['A1', 'A2', 'A3']);
    expect(order('B')).toEqual(['B1', 'B2']);
    expect(order('C')).toEqual(['C1', 'C2']);

    await eventually(async () => (await rows()).every((row) => row.status === 'sent'), { timeoutMs: 10_000 });
    const sent = published.filter((event) => event.type === MailSent.type).map((event) => (event.payload as { outboundMessageId: string }).outboundMessageId);
    expect(new Set(sent)).toEqual(new Set(requests.map((request) => request.payload.outboundMessageId)));
    expect(failures().filter((failure) => failure.payload.permanent)).toEqual([]);
    const leftover = await db.query('SELECT count(*)::int AS n FROM mail_outbound.delivery WHERE request IS NOT NULL');
    expect(leftover.rows[0].n).toBe(0);
  });

  it('sends new replies at once after that', async () => {
    const next = sendRequest(tickets.a, 'A4');
    await publish(next);
    await smtp.waitForMessages(requests.length, 10_000);
    expect(smtp.messages.at(-1)?.parsed.subject).toBe('Re: A4');
    expect(pausedEvents()).toHaveLength(1);
  });
});
