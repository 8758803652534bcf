import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  DEFAULT_CHANNEL_SAFETY,
  ChannelConfigured,
  ChannelDisabled,
  ChannelEnabled,
  STREAMS,
  type ChannelSettingsSnapshot,
  type EmailChannelView,
  type EventDefinition,
  type EventEnvelope,
  type ChannelChangedPayload,
  type TestConnectionResult,
} from '@ensoras/contracts';
import { startService } from '@ensoras/runtime';
import {
  createTestDatabase,
  eventually,
  startDovecot,
  startNats,
  startSmtpServer,
  type DovecotServer,
  type NatsTestServer,
  type SmtpTestServer,
  type TestDatabase,
} from '@ensoras/testing';
import type { QueryRunner } from 'typeorm';
import { AppModule } from '../app.module.js';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';
import { AddChannelSafety1764300000000 } from '../migrations/1764300000000-add-channel-safety.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const IMAP_USER = { username: 'support@example.test', password: 'imap-Secret-4711' };
const SMTP_USER = { username: 'smtp-user@example.test', password: 'smtp-Secret-0815' };

describe('channel-config admin API', () => {
  let database: TestDatabase;
  let nats: NatsTestServer;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  let dataDir: string;
  let environment: ChannelConfigEnvironment;
  let app: INestApplication;
  let baseUrl: string;
  let db: pg.Client;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let settingsBucket: KV;

  async function boot(): Promise<void> {
    app = await startService({ name: 'channel-config', module: AppModule.forRoot(environment), port: 0, durableName: 'channel-config' });
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  beforeAll(async () => {
    [database, nats, dovecot, smtp] = await Promise.all([
      createTestDatabase(),
      startNats(),
      startDovecot({ users: [IMAP_USER] }),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'channel-config-'));
    environment = Object.assign(new ChannelConfigEnvironment(), {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      PORT: 0,
      ADMIN_TOKEN,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      TEST_CONNECTION_TIMEOUT_MS: 5_000,
    });
    await boot();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    settingsBucket = await new Kvm(nc).open(CHANNEL_SETTINGS_BUCKET);
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await db?.end();
    await Promise.allSettled([database?.drop(), nats?.stop(), dovecot?.stop(), smtp?.stop()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = ADMIN_TOKEN,
  ): Promise<{ status: number; body: T; text: string }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  }

  /** A channel that really works against the test servers: Dovecot over implicit TLS, the SMTP server in plain. */
  function workingChannel() {
    return {
      imap: {
        host: dovecot.host,
        port: dovecot.imapsPort,
        encryption: 'ssl',
        username: IMAP_USER.username,
        password: IMAP_USER.password,
        validateCertificate: false,
      },
      smtp: { host: smtp.host, port: smtp.port, encryption: 'none', username: SMTP_USER.username, password: SMTP_USER.password },
      identity: { fromEmail: 'support@example.test', fromName: 'Example Support', signatureHtml: '<p>Regards</p>' },
      guidelines: 'Use a professional email tone.',
      responseDelay: { minSeconds: 30, maxSeconds: 120 },
    };
  }

  async function storedRows(projectId: string): Promise<number> {
    const { rows } = await db.query<{ count: string }>(
      `SELECT (SELECT count(*) FROM channel_config.project WHERE project_id = $1)
            + (SELECT count(*) FROM channel_config.email_channel WHERE project_id = $1)
            + (SELECT count(*) FROM channel_config.audit_entry WHERE project_id = $1)
            + (SELECT count(*) FROM channel_config.outbox_message WHERE envelope->>'projectId' = $1) AS count`,
      [projectId],
    );
    return Number(rows[0].count);
  }

  async function snapshotOf(projectId: string): Promise<ChannelSettingsSnapshot | null> {
    const entry = await settingsBucket.get(projectId);
    return entry?.operation === 'PUT' ? entry.json<ChannelSettingsSnapshot>() : null;
  }

  /** The last event of a kind for the project on the CHANNELS stream, raw text and parsed. */
  async function lastEvent(definition: EventDefinition<ChannelChangedPayload>, projectId: string) {
    return eventually(async () => {
      const message = await jsm.streams.getMessage(STREAMS.channel, { last_by_subj: definition.subject(projectId) });
      return message ? { text: message.string(), envelope: message.json<EventEnvelope<ChannelChangedPayload>>() } : null;
    });
  }

  it('refuses every route without the admin token or with a wrong one (401)', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/v1/projects/p-auth/configuration'],
      ['PUT', '/v1/projects/p-auth/channels/email'],
      ['GET', '/v1/projects/p-auth/channels/email'],
      ['POST', '/v1/projects/p-auth/channels/email/enable'],
      ['POST', '/v1/projects/p-auth/channels/email/test-connection'],
      ['GET', '/v1/projects/p-auth/channels/email/audit'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'PUT' ? workingChannel() : undefined;
      expect((await call(method, path, body, null)).status, `${method} ${path} without token`).toBe(401);
      expect((await call(method, path, body, 'wrong-token-wrong-token')).status, `${method} ${path} wrong token`).toBe(401);
    }
    expect(await storedRows('p-auth')).toBe(0);
    // Probes need no token: the guard sits on the admin routes, not on /health.
    expect((await call('GET', '/health', undefined, null)).status).toBe(200);
  });

  it('answers 400 naming the field, and stores nothing', async () => {
    const cases: Array<[string, (channel: ReturnType<typeof workingChannel>) => void]> = [
      ['imap.port', (c) => (c.imap.port = 70_000)],
      ['imap.encryption', (c) => (c.imap.encryption = 'foo')],
      ['identity.fromEmail', (c) => (c.identity.fromEmail = 'nope')],
      ['responseDelay.maxSeconds', (c) => (c.responseDelay = { minSeconds: 10, maxSeconds: 5 })],
      ['responseDelay.maxSeconds', (c) => (c.responseDelay = { minSeconds: 0, maxSeconds: 172_801 })],
    ];
    for (const [field, spoil] of cases) {
      const channel = workingChannel();
      spoil(channel);
      const response = await call<{ message: string[] }>('PUT', '/v1/projects/p-invalid/channels/email', channel);
      expect(response.status, field).toBe(400);
      expect(response.body.message, field).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: `))]));
      expect(response.text).not.toContain(IMAP_USER.password);
    }
    const { imap, smtp: smtpSettings, ...rest } = workingChannel();
    const withoutPasswords = { ...rest, imap: { ...imap, password: undefined }, smtp: { ...smtpSettings, password: undefined } };
    const missing = await call<{ message: string[] }>('PUT', '/v1/projects/p-invalid/channels/email', withoutPasswords);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toEqual([expect.stringMatching(/^imap\.password: /), expect.stringMatching(/^smtp\.password: /)]);

    const badProject = await call<{ message: string[] }>('GET', '/v1/projects/not.a%20project/configuration');
    expect(badProject.status).toBe(400);
    expect(badProject.body.message).toEqual([expect.stringMatching(/^projectId: /)]);

    expect(await storedRows('p-invalid')).toBe(0);
    expect((await call('GET', '/v1/projects/p-invalid/channels/email')).status).toBe(404);
    expect(await snapshotOf('p-invalid')).toBeNull();
  });

  it('keeps passwords out of responses, the database row, the KV snapshot and the channel event', async () => {
    const put = await call<EmailChannelView>('PUT', '/v1/projects/p-secret/channels/email', workingChannel());
    expect(put.status).toBe(200);
    const get = await call<EmailChannelView>('GET', '/v1/projects/p-secret/channels/email');
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({
      projectId: 'p-secret',
      enabled: false,
      imap: { passwordSet: true, validateCertificate: false, markAsRead: false, port: dovecot.imapsPort },
      smtp: { passwordSet: true, encryption: 'none' },
      identity: { fromEmail: 'support@example.test' },
      responseDelay: { minSeconds: 30, maxSeconds: 120 },
    });
    for (const text of [put.text, get.text]) {
      expect(text).not.toContain(IMAP_USER.password);
      expect(text).not.toContain(SMTP_USER.password);
      expect(text).not.toMatch(/"password"|sealed/);
    }

    const { rows } = await db.query('SELECT * FROM channel_config.email_channel WHERE project_id = $1', ['p-secret']);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(IMAP_USER.password);
    expect(JSON.stringify(rows[0])).not.toContain(SMTP_USER.password);
    expect(rows[0].imap_password_sealed).toMatch(/^v1\./);

    const snapshot = await eventually(() => snapshotOf('p-secret'));
    expect(snapshot.imap?.password.sealed).toMatch(/^v1\./);
    const kvText = JSON.stringify(snapshot);
    expect(kvText).not.toContain(IMAP_USER.password);
    expect(kvText).not.toContain(SMTP_USER.password);

    const event = await lastEvent(ChannelConfigured, 'p-secret');
    expect(event.envelope.payload).toMatchObject({ projectId: 'p-secret', enabled: false, revision: snapshot.revision });
    expect(event.text).not.toContain(IMAP_USER.password);
    expect(event.text).not.toContain(SMTP_USER.password);
    expect(event.text).not.toMatch(/password|v1\./);
  });

  it('tests the connection with the stored settings: ok, still ok after a PATCH without password, auth_failed with a wrong one', async () => {
    const project = '/v1/projects/p-connect/channels/email';
    expect((await call('POST', `${project}/test-connection`)).status).toBe(409);
    expect((await call('PUT', project, workingChannel())).status).toBe(200);

    const first = await call<TestConnectionResult>('POST', `${project}/test-connection`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
    const tested = await call<EmailChannelView>('GET', project);
    expect(tested.body.lastConnectionTest).toMatchObject({ imap: { ok: true }, smtp: { ok: true } });

    const patched = await call<EmailChannelView>('PATCH', project, { identity: { fromName: 'Renamed Support' }, imap: { markAsRead: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.identity?.fromName).toBe('Renamed Support');
    expect(patched.body.imap).toMatchObject({ markAsRead: true, host: dovecot.host, passwordSet: true });
    expect(patched.body.lastConnectionTest).toMatchObject({ imap: { ok: true } });
    expect((await call<TestConnectionResult>('POST', `${project}/test-connection`)).body).toEqual({ imap: { ok: true }, smtp: { ok: true } });

    expect((await call('PATCH', project, { imap: { password: 'not-the-password' } })).status).toBe(200);
    const failed = await call<TestConnectionResult>('POST', `${project}/test-connection`);
    expect(failed.status).toBe(200);
    expect(failed.body.smtp).toEqual({ ok: true });
    expect(failed.body.imap).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(failed.body.imap.error?.hint).toBeTruthy();
    expect(failed.text).not.toContain('not-the-password');
    const recorded = await call<EmailChannelView>('GET', project);
    expect(recorded.body.lastConnectionTest).toMatchObject({ imap: { ok: false, code: 'auth_failed' }, smtp: { ok: true } });
    expect(recorded.text).not.toContain('not-the-password');
  });

  it('merges a PATCH, validates the merged delay, and a PATCH of a never-configured channel is a 404', async () => {
    const project = '/v1/projects/p-patch/channels/email';
    expect((await call('PATCH', project, { guidelines: 'x' })).status).toBe(404);
    expect(await storedRows('p-patch')).toBe(0);
    expect((await call('PUT', project, { ...workingChannel(), responseDelay: undefined })).status).toBe(200);
    const revision = (await eventually(() => snapshotOf('p-patch'))).revision;

    const inverted = await call<{ message: string[] }>('PATCH', project, { responseDelay: { maxSeconds: 10 } });
    expect(inverted.status).toBe(400);
    expect(inverted.body.message).toEqual([expect.stringMatching(/^responseDelay\.maxSeconds: /)]);
    const unchanged = await call<EmailChannelView>('GET', project);
    expect(unchanged.body.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect((await snapshotOf('p-patch'))?.revision).toBe(revision);

    const widened = await call<EmailChannelView>('PATCH', project, { responseDelay: { maxSeconds: 600 } });
    expect(widened.body.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 600 });
    expect(widened.body.imap?.port).toBe(dovecot.imapsPort);
    await eventually(async () => (await snapshotOf('p-patch'))?.responseDelay.maxSeconds === 600);
  });

  it('keeps the safety limits: defaults on PUT, PATCH merges one limit, 400 naming the field, the KV snapshot follows', async () => {
    const project = '/v1/projects/p-safety/channels/email';
    const put = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(put.status).toBe(200);
    expect(put.body.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
    expect((await eventually(() => snapshotOf('p-safety'))).safety).toEqual(DEFAULT_CHANNEL_SAFETY);

    const patched = await call<EmailChannelView>('PATCH', project, { safety: { maxAiRepliesPerAddress: 2, loopWindowMinutes: 10 } });
    expect(patched.status).toBe(200);
    const expected = { ...DEFAULT_CHANNEL_SAFETY, maxAiRepliesPerAddress: 2, loopWindowMinutes: 10 };
    expect(patched.body.safety).toEqual(expected);
    expect((await call<EmailChannelView>('GET', project)).body.safety).toEqual(expected);
    const snapshot = await eventually(async () => {
      const current = await snapshotOf('p-safety');
      return current?.safety?.maxAiRepliesPerAddress === 2 ? current : null;
    });
    expect(snapshot.safety).toEqual(expected);

    const refusals: Array<[string, string, unknown]> = [
      ['PATCH', 'safety.maxAiRepliesPerTicket', { safety: { maxAiRepliesPerTicket: 0 } }],
      ['PATCH', 'safety.maxMessageSizeMb', { safety: { maxMessageSizeMb: 'big' } }],
      ['PATCH', 'safety.loopWindowMinutes', { safety: { loopWindowMinutes: 10_081 } }],
      // PUT takes the block whole: a limit left out is named, not silently defaulted.
      ['PUT', 'safety.maxAiRepliesPerAddress', { ...workingChannel(), safety: { maxMessageSizeMb: 10, maxAiRepliesPerTicket: 2, loopWindowMinutes: 30 } }],
    ];
    for (const [method, field, body] of refusals) {
      const refused = await call<{ message: string[] }>(method, project, body);
      expect(refused.status, field).toBe(400);
      // Every reason given is about that one field (one per rule it breaks).
      expect(refused.body.message.length, field).toBeGreaterThan(0);
      for (const reason of refused.body.message) expect(reason, field).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    expect((await call<EmailChannelView>('GET', project)).body.safety).toEqual(expected);
    expect((await snapshotOf('p-safety'))?.revision).toBe(snapshot.revision);

    const audit = await call<{ entries: Array<{ changedFields: string[] }> }>('GET', `${project}/audit`);
    expect(audit.body.entries[0].changedFields).toEqual(['safety.loopWindowMinutes', 'safety.maxAiRepliesPerAddress']);

    // A PUT replaces the channel: without `safety` the limits go back to their defaults.
    const reset = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(reset.body.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
  });

  it('enables only a configured channel (409 with the reason before), disables it, and the KV snapshot follows', async () => {
    const project = '/v1/projects/p-toggle/channels/email';
    const refused = await call<{ statusCode: number; message: string }>('POST', `${project}/enable`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ statusCode: 409, message: 'IMAP is not configured' });
    expect((await call('POST', `${project}/disable`)).status).toBe(404);

    expect((await call('PUT', project, workingChannel())).status).toBe(200);
    const configured = await eventually(() => snapshotOf('p-toggle'));
    expect(configured.enabled).toBe(false);

    const enabled = await call<EmailChannelView>('POST', `${project}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    const afterEnable = await eventually(async () => {
      const snapshot = await snapshotOf('p-toggle');
      return snapshot?.enabled ? snapshot : null;
    });
    expect(afterEnable.revision).toBe(configured.revision + 1);
    expect((await lastEvent(ChannelEnabled, 'p-toggle')).envelope.payload).toMatchObject({ enabled: true, revision: afterEnable.revision });

    const again = await call<EmailChannelView>('POST', `${project}/enable`);
    expect(again.status).toBe(200);
    expect((await snapshotOf('p-toggle'))?.revision).toBe(afterEnable.revision);

    const disabled = await call<EmailChannelView>('POST', `${project}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    const afterDisable = await eventually(async () => {
      const snapshot = await snapshotOf('p-toggle');
      return snapshot && !snapshot.enabled ? snapshot : null;
    });
    expect(afterDisable.revision).toBe(afterEnable.revision + 1);
    expect((await lastEvent(ChannelDisabled, 'p-toggle')).envelope.payload).toMatchObject({ enabled: false, revision: afterDisable.revision });

    const audit = await call<{ entries: Array<{ action: string; changedFields: string[]; revision: number }> }>('GET', `${project}/audit`);
    expect(audit.body.entries.map((entry) => entry.action)).toEqual(['email_channel.disabled', 'email_channel.enabled', 'email_channel.configured']);
    expect(audit.body.entries[2].changedFields).toEqual(expect.arrayContaining(['imap.host', 'imap.password']));
    expect(audit.text).not.toContain(IMAP_USER.password);
  });

  it('keeps the communication style: defaults for an unknown project, a snapshot without channel, and with one', async () => {
    const unknown = await call('GET', '/v1/projects/p-style/configuration');
    expect(unknown.body).toEqual({ projectId: 'p-style', communicationStyle: '', updatedAt: null });

    const put = await call<{ communicationStyle: string; updatedAt: string }>('PUT', '/v1/projects/p-style/configuration', {
      communicationStyle: 'Warm, brief, no jargon.',
    });
    expect(put.status).toBe(200);
    expect(put.body.updatedAt).toEqual(expect.any(String));
    expect((await call('GET', '/v1/projects/p-style/configuration')).body).toMatchObject({ communicationStyle: 'Warm, brief, no jargon.' });
    const styleOnly = await eventually(() => snapshotOf('p-style'));
    expect(styleOnly).toMatchObject({ communicationStyle: 'Warm, brief, no jargon.', enabled: false, imap: null, smtp: null, identity: null });

    expect((await call('PUT', '/v1/projects/p-style/channels/email', workingChannel())).status).toBe(200);
    const withChannel = await eventually(async () => {
      const snapshot = await snapshotOf('p-style');
      return snapshot?.imap ? snapshot : null;
    });
    expect(withChannel.communicationStyle).toBe('Warm, brief, no jargon.');
    expect(withChannel.revision).toBe(styleOnly.revision + 1);
  });

  it('re-writes every project snapshot from the database at start-up', async () => {
    expect((await call('PUT', '/v1/projects/p-restart/channels/email', workingChannel())).status).toBe(200);
    const written = await eventually(() => snapshotOf('p-restart'));
    await app.close();
    // As if the service had died between its commit and the KV write.
    await settingsBucket.purge('p-restart');
    expect(await snapshotOf('p-restart')).toBeNull();

    await boot();
    const rewritten = await eventually(() => snapshotOf('p-restart'));
    expect(rewritten).toEqual(written);
  });

  it('gives a channel stored before the safety limits existed the defaults when the migration runs', async () => {
    const project = '/v1/projects/p-upgrade/channels/email';
    expect((await call('PUT', project, { ...workingChannel(), safety: { ...DEFAULT_CHANNEL_SAFETY, maxAiRepliesPerTicket: 1 } })).status).toBe(200);
    await app.close();
    // Back to the schema before the migration, as a database of the previous release is.
    const migration = new AddChannelSafety1764300000000();
    const queryRunner = {
      connection: { options: { schema: 'channel_config' } },
      query: (sql: string) => db.query(sql),
    } as unknown as QueryRunner;
    await migration.down(queryRunner);
    await db.query('DELETE FROM channel_config.migrations WHERE name = $1', [migration.name]);

    await boot();
    const upgraded = await call<EmailChannelView>('GET', project);
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
    expect(upgraded.body.imap?.host).toBe(dovecot.host);
  });
});
