import { createCipheriv, randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aiModeOf,
  CHANNEL_SETTINGS_BUCKET,
  DEFAULT_CHANNEL_SAFETY,
  DEFAULT_HANDOFF,
  handoffOf,
  sentFolderOf,
  defaultImportSince,
  MAILBOX_STATUS_BUCKET,
  ChannelConfigured,
  ChannelDisabled,
  ChannelEnabled,
  STREAMS,
  type ChannelSettingsSnapshot,
  type EmailChannelStatusView,
  type EmailChannelView,
  type EventDefinition,
  type MailboxStatusRecord,
  type EventEnvelope,
  type ChannelChangedPayload,
  type TestConnectionResult,
} from '@ensoras/contracts';
import { decodeKey, SecretBox } from '@ensoras/secrets';
import { eventually, startDovecot, startLineServer, startSmtpServer, type DovecotServer, type SmtpTestServer } from '@ensoras/testing';
import type { QueryRunner } from 'typeorm';
import { CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES } from '../config/json-body-limit.js';
import { ADMIN_TOKEN, ChannelConfigHarness } from '../test-support/channel-config-harness.js';
import { AddChannelSafety1764300000000 } from '../migrations/1764300000000-add-channel-safety.js';
import { AddChannelAiModeAndHandoff1796600000000 } from '../migrations/1796600000000-add-channel-ai-mode-and-handoff.js';

const IMAP_USER = { username: 'support@example.test', password: 'imap-Secret-4711' };
const SMTP_USER = { username: 'smtp-user@example.test', password: 'smtp-Secret-0815' };

describe('channel-config admin API', () => {
  let harness: ChannelConfigHarness;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  let jsm: JetStreamManager;
  let settingsBucket: KV;

  beforeAll(async () => {
    [harness, dovecot, smtp] = await Promise.all([
      ChannelConfigHarness.start({ TEST_CONNECTION_TIMEOUT_MS: 5_000 }),
      startDovecot({ users: [IMAP_USER] }),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
    ]);
    jsm = await jetstreamManager(harness.nc);
    settingsBucket = await harness.bucket(CHANNEL_SETTINGS_BUCKET);
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.allSettled([dovecot?.stop(), smtp?.stop()]);
  });

  const call = <T = Record<string, unknown>>(...args: Parameters<ChannelConfigHarness['call']>) => harness.call<T>(...args);

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
    const { rows } = await harness.db.query<{ count: string }>(
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
      ['GET', '/v1/presets/email'],
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

  it('lists the provider presets: hosts, ports, encryption, how to sign in and a help page', async () => {
    const response = await call('GET', '/v1/presets/email', undefined);
    expect(response.status).toBe(200);
    const { presets } = response.body as { presets: Array<Record<string, unknown>> };
    expect(presets.map(({ name }) => name)).toEqual([
      'Gmail',
      'Google Workspace',
      'Microsoft 365 (Exchange Online)',
      'Outlook.com / Hotmail',
      'Yahoo Mail',
      'iCloud Mail',
      'Zoho Mail',
      'Fastmail',
    ]);
    expect(presets.find(({ id }) => id === 'microsoft-365')).toMatchObject({
      imap: { host: 'outlook.office365.com', port: 993, encryption: 'ssl' },
      smtp: { host: 'smtp.office365.com', port: 587, encryption: 'tls' },
      signIn: 'oauth2',
      oauthProvider: 'microsoft',
    });
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
      // No password field (the login kind `"auth":{"type":"password"}` only names the word) and nothing sealed.
      expect(text).not.toMatch(/"password":|sealed/);
    }

    const { rows } = await harness.db.query('SELECT * FROM channel_config.email_channel WHERE project_id = $1', ['p-secret']);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(IMAP_USER.password);
    expect(JSON.stringify(rows[0])).not.toContain(SMTP_USER.password);
    expect(rows[0].imap_password_sealed).toMatch(/^v2\./);

    const snapshot = await eventually(() => snapshotOf('p-secret'));
    expect(snapshot.imap?.password?.sealed).toMatch(/^v2\./);
    const kvText = JSON.stringify(snapshot);
    expect(kvText).not.toContain(IMAP_USER.password);
    expect(kvText).not.toContain(SMTP_USER.password);

    const event = await lastEvent(ChannelConfigured, 'p-secret');
    expect(event.envelope.payload).toMatchObject({ projectId: 'p-secret', enabled: false, revision: snapshot.revision });
    expect(event.text).not.toContain(IMAP_USER.password);
    expect(event.text).not.toContain(SMTP_USER.password);
    expect(event.text).not.toMatch(/password|v[12]\./);
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

  it('keeps how much history to import: the last 14 days by default, a date or null, 400 naming import.since', async () => {
    const project = '/v1/projects/p-import/channels/email';
    const put = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(put.body.import).toEqual({ since: defaultImportSince(new Date()) });
    expect((await eventually(() => snapshotOf('p-import'))).import).toEqual(put.body.import);

    const patched = await call<EmailChannelView>('PATCH', project, { import: { since: '2025-01-15' } });
    expect(patched.body.import).toEqual({ since: '2025-01-15T00:00:00.000Z' });
    await eventually(async () => (await snapshotOf('p-import'))?.import?.since === '2025-01-15T00:00:00.000Z');
    // A PUT without it keeps the choice (its default depends on when the channel was first configured).
    expect((await call<EmailChannelView>('PUT', project, workingChannel())).body.import).toEqual({ since: '2025-01-15T00:00:00.000Z' });
    expect((await call<EmailChannelView>('PATCH', project, { import: { since: null } })).body.import).toEqual({ since: null });

    const refused = await call<{ message: string[] }>('PATCH', project, { import: { since: 'last month' } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual([expect.stringMatching(/^import\.since: /)]);
    expect((await call<EmailChannelView>('GET', project)).body.import).toEqual({ since: null });
  });

  it("shows the mailbox's status as mail-ingest reports it: 404 unconfigured, disabled, connecting, then the report", async () => {
    const project = '/v1/projects/p-status/channels/email';
    expect((await call('GET', `${project}/status`)).status).toBe(404);
    expect((await call('GET', `${project}/status`, undefined, null)).status).toBe(401);
    await call('PUT', project, workingChannel());
    expect((await call<EmailChannelStatusView>('GET', `${project}/status`)).body).toMatchObject({ state: 'disabled', enabled: false });
    expect((await call('POST', `${project}/enable`)).status).toBe(200);
    expect((await call<EmailChannelStatusView>('GET', `${project}/status`)).body).toMatchObject({ state: 'connecting', enabled: true, updatedAt: null });

    // mail-ingest's report for the current revision of the settings, as its watcher writes it.
    const { revision } = await eventually(async () => {
      const snapshot = await snapshotOf('p-status');
      return snapshot?.enabled ? snapshot : null;
    });
    const report: MailboxStatusRecord = {
      projectId: 'p-status',
      revision,
      state: 'backfilling',
      imported: 1_200,
      total: 20_000,
      lastError: null,
      lastErrorAt: null,
      lastImportAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:01.000Z',
    };
    await (await harness.bucket(MAILBOX_STATUS_BUCKET)).put('p-status', JSON.stringify(report));
    expect((await call<EmailChannelStatusView>('GET', `${project}/status`)).body).toEqual({
      projectId: 'p-status',
      enabled: true,
      state: 'backfilling',
      imported: 1_200,
      total: 20_000,
      lastError: null,
      lastErrorAt: null,
      lastImportAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:01.000Z',
      paused: { imap: null, smtp: null },
    });
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

    // The project-wide hourly cap of AI replies is stored and replicated like the others.
    const capped = await call<EmailChannelView>('PATCH', project, { safety: { maxAiRepliesPerHour: 50 } });
    expect(capped.body.safety).toEqual({ ...expected, maxAiRepliesPerHour: 50 });
    await eventually(async () => (await snapshotOf('p-safety'))?.safety?.maxAiRepliesPerHour === 50);

    // A PUT replaces the channel: without `safety` the limits go back to their defaults.
    const reset = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(reset.body.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
  });

  it('keeps the AI mode and the handoff acknowledgement: defaults, PUT, PATCH field by field, 400 naming the field, audit and KV follow', async () => {
    const project = '/v1/projects/p-ai-mode/channels/email';
    type Audit = { entries: Array<{ action: string; changedFields: string[] }> };
    const defaults = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(defaults.status).toBe(200);
    expect(defaults.body).toMatchObject({ aiMode: 'auto', handoff: DEFAULT_HANDOFF });
    expect(await eventually(() => snapshotOf('p-ai-mode'))).toMatchObject({ aiMode: 'auto', handoff: DEFAULT_HANDOFF });

    // PUT with aiMode draft: GET shows it, the snapshot in the KV bucket carries it, the audit names the fields.
    const handoff = { acknowledge: true, text: 'Thank you! A colleague will answer you within one working day.\nAcme' };
    const put = await call<EmailChannelView>('PUT', project, { ...workingChannel(), aiMode: 'draft', handoff });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ aiMode: 'draft', handoff });
    expect((await call<EmailChannelView>('GET', project)).body).toMatchObject({ aiMode: 'draft', handoff });
    const drafting = await eventually(async () => {
      const current = await snapshotOf('p-ai-mode');
      return current?.aiMode === 'draft' ? current : null;
    });
    expect(drafting.handoff).toEqual(handoff);
    expect([aiModeOf(drafting), handoffOf(drafting)]).toEqual(['draft', handoff]);
    const configured = await call<Audit>('GET', `${project}/audit`);
    expect(configured.body.entries[0]).toMatchObject({ action: 'email_channel.configured', changedFields: ['aiMode', 'handoff.acknowledge', 'handoff.text'] });

    // PATCH of handoff.text alone keeps acknowledge (and the mode).
    const text = 'We have your message; a person will reply soon.';
    const patched = await call<EmailChannelView>('PATCH', project, { handoff: { text } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ aiMode: 'draft', handoff: { acknowledge: true, text } });
    const afterPatch = await eventually(async () => {
      const current = await snapshotOf('p-ai-mode');
      return current?.handoff?.text === text ? current : null;
    });
    expect(afterPatch.handoff).toEqual({ acknowledge: true, text });
    expect(afterPatch.revision).toBe(drafting.revision + 1);
    const updated = await call<Audit>('GET', `${project}/audit`);
    expect(updated.body.entries[0]).toMatchObject({ action: 'email_channel.updated', changedFields: ['handoff.text'] });

    // Refused: 400 naming the field, and nothing stored (settings, revision, snapshot, audit).
    const refusals: Array<[string, string, unknown]> = [
      ['PATCH', 'aiMode', { aiMode: 'sometimes' }],
      ['PUT', 'aiMode', { ...workingChannel(), aiMode: 'manual', handoff }],
      ['PATCH', 'handoff.acknowledge', { handoff: { acknowledge: 'yes' } }],
      ['PATCH', 'handoff.acknowledge', { handoff: { acknowledge: null } }],
      // PUT takes the block whole, like safety.
      ['PUT', 'handoff.text', { ...workingChannel(), aiMode: 'draft', handoff: { acknowledge: true } }],
      ['PATCH', 'handoff.text', { handoff: { text: '<p>Thanks</p>' } }],
      ['PATCH', 'handoff.text', { handoff: { acknowledge: false, text: 'x'.repeat(2_001) } }],
      ['PATCH', 'handoff.text', { handoff: { text: '  ' } }],
      ['PATCH', 'handoff.text', { handoff: { text: null } }],
    ];
    for (const [method, field, body] of refusals) {
      const refused = await call<{ message: string[] }>(method, project, body);
      const label = `${method} ${JSON.stringify(body).slice(-80)}`;
      expect(refused.status, label).toBe(400);
      expect(refused.body.message.length, label).toBeGreaterThan(0);
      for (const reason of refused.body.message) expect(reason, label).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    expect((await call<EmailChannelView>('GET', project)).body).toMatchObject({ aiMode: 'draft', handoff: { acknowledge: true, text } });
    expect((await snapshotOf('p-ai-mode'))?.revision).toBe(afterPatch.revision);
    expect((await call<Audit>('GET', `${project}/audit`)).body.entries).toHaveLength(updated.body.entries.length);

    // off does not keep the channel from being enabled: mail is still imported, only the AI stays silent.
    const off = await call<EmailChannelView>('PATCH', project, { aiMode: 'off' });
    expect(off.body).toMatchObject({ aiMode: 'off', handoff: { acknowledge: true, text } });
    const enabled = await call<EmailChannelView>('POST', `${project}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, aiMode: 'off' });
    const enabledSnapshot = await eventually(async () => {
      const current = await snapshotOf('p-ai-mode');
      return current?.enabled ? current : null;
    });
    expect(enabledSnapshot.aiMode).toBe('off');
    const audit = await call<Audit>('GET', `${project}/audit`);
    expect(audit.body.entries.slice(0, 2)).toMatchObject([
      { action: 'email_channel.enabled', changedFields: ['enabled'] },
      { action: 'email_channel.updated', changedFields: ['aiMode'] },
    ]);
  });

  it('keeps the Sent folder setting: on by default, PATCH turns it off, GET, audit and KV follow, 400 naming the field', async () => {
    const project = '/v1/projects/p-sent-folder/channels/email';
    type Audit = { entries: Array<{ action: string; changedFields: string[] }> };
    const created = await call<EmailChannelView>('PUT', project, workingChannel());
    expect(created.body.sentFolder).toEqual({ append: true });

    const off = await call<EmailChannelView>('PATCH', project, { sentFolder: { append: false } });
    expect(off.status).toBe(200);
    expect(off.body.sentFolder).toEqual({ append: false });
    expect((await call<EmailChannelView>('GET', project)).body.sentFolder).toEqual({ append: false });
    const replicated = await eventually(async () => {
      const current = await snapshotOf('p-sent-folder');
      return current?.sentFolder?.append === false ? current : null;
    });
    expect(sentFolderOf(replicated)).toEqual({ append: false });
    const audit = await call<Audit>('GET', `${project}/audit`);
    expect(audit.body.entries[0]).toMatchObject({ action: 'email_channel.updated', changedFields: ['sentFolder.append'] });

    const refused = await call<{ message: string[] }>('PATCH', project, { sentFolder: { append: 'no' } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(['sentFolder.append: sentFolder.append must be a boolean value']);
    expect((await snapshotOf('p-sent-folder'))?.revision).toBe(replicated.revision);
  });

  it('gives a channel stored before the AI mode existed auto and no acknowledgement when the migration runs', async () => {
    const project = '/v1/projects/p-upgrade-ai/channels/email';
    expect((await call('PUT', project, { ...workingChannel(), aiMode: 'off', handoff: { acknowledge: true, text: 'Hi' } })).status).toBe(200);
    await harness.stopApp();
    const migration = new AddChannelAiModeAndHandoff1796600000000();
    const queryRunner = {
      connection: { options: { schema: 'channel_config' } },
      query: (sql: string) => harness.db.query(sql),
    } as unknown as QueryRunner;
    await migration.down(queryRunner);
    await harness.db.query('DELETE FROM channel_config.migrations WHERE name = $1', [migration.name]);

    await harness.startApp();
    const upgraded = await call<EmailChannelView>('GET', project);
    expect(upgraded.status).toBe(200);
    expect(upgraded.body).toMatchObject({ aiMode: 'auto', handoff: DEFAULT_HANDOFF });
    // The stored channel keeps working: a PATCH of the new settings alone is taken.
    const patched = await call<EmailChannelView>('PATCH', project, { aiMode: 'draft' });
    expect(patched.body).toMatchObject({ aiMode: 'draft', handoff: DEFAULT_HANDOFF, imap: { host: dovecot.host, passwordSet: true } });
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
    await harness.stopApp();
    // As if the service had died between its commit and the KV write.
    await settingsBucket.purge('p-restart');
    expect(await snapshotOf('p-restart')).toBeNull();

    await harness.startApp();
    const rewritten = await eventually(() => snapshotOf('p-restart'));
    expect(rewritten).toEqual(written);
  });

  it('gives a channel stored before the safety limits existed the defaults when the migration runs', async () => {
    const project = '/v1/projects/p-upgrade/channels/email';
    expect((await call('PUT', project, { ...workingChannel(), safety: { ...DEFAULT_CHANNEL_SAFETY, maxAiRepliesPerTicket: 1 } })).status).toBe(200);
    await harness.stopApp();
    // Back to the schema before the migration, as a database of the previous release is.
    const migration = new AddChannelSafety1764300000000();
    const queryRunner = {
      connection: { options: { schema: 'channel_config' } },
      query: (sql: string) => harness.db.query(sql),
    } as unknown as QueryRunner;
    await migration.down(queryRunner);
    await harness.db.query('DELETE FROM channel_config.migrations WHERE name = $1', [migration.name]);

    await harness.startApp();
    const upgraded = await call<EmailChannelView>('GET', project);
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
    expect(upgraded.body.imap?.host).toBe(dovecot.host);
  });
  it('refuses to move a stored password to another host: PATCH without the password is a 400 naming it, nothing changes', async () => {
    const project = '/v1/projects/p-move/channels/email';
    expect((await call('PUT', project, workingChannel())).status).toBe(200);
    const before = await call<EmailChannelView>('GET', project);
    const revision = (await eventually(() => snapshotOf('p-move'))).revision;

    for (const [section, change] of [
      ['imap', { host: 'evil.example', encryption: 'tcp' }],
      ['imap', { username: 'someone@evil.example' }],
      ['smtp', { port: 2525 }],
    ] as const) {
      const refused = await call<{ message: string[] }>('PATCH', project, { [section]: change });
      expect(refused.status, JSON.stringify(change)).toBe(400);
      expect(refused.body.message).toEqual([expect.stringMatching(new RegExp(`^${section}\\.password: `))]);
    }
    const { imap: _imap, ...withoutImap } = workingChannel();
    const put = await call<{ message: string[] }>('PUT', project, { ...withoutImap, imap: { ...workingChannel().imap, host: 'evil.example', password: undefined } });
    expect(put.status).toBe(400);
    expect(put.body.message).toEqual([expect.stringMatching(/^imap\.password: .*imap\.host/)]);

    const after = await call<EmailChannelView>('GET', project);
    expect(after.body).toEqual(before.body);
    expect((await snapshotOf('p-move'))?.revision).toBe(revision);

    // With the password in the same request the move is fine, and the password works at the new place.
    const moved = await call<EmailChannelView>('PATCH', project, { imap: { host: 'localhost', password: IMAP_USER.password } });
    expect(moved.status).toBe(200);
    expect(moved.body.imap?.host).toBe('localhost');
    expect((await call<TestConnectionResult>('POST', `${project}/test-connection`)).body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
  });

  it('refuses link-local and cloud-metadata hosts in Test Connection with a code, without touching the network', async () => {
    const project = '/v1/projects/p-metadata/channels/email';
    const channel = workingChannel();
    channel.imap = { ...channel.imap, host: '169.254.169.254', port: 80, encryption: 'tcp' };
    channel.smtp = { ...channel.smtp, host: 'metadata.google.internal', port: 80 };
    expect((await call('PUT', project, channel)).status).toBe(200);
    const started = Date.now();
    const result = await call<TestConnectionResult>('POST', `${project}/test-connection`);
    expect(result.status).toBe(200);
    expect(result.body.imap).toMatchObject({ ok: false, error: { code: 'address_not_allowed', hint: expect.stringMatching(/link-local/i) } });
    expect(result.body.smtp).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    // 169.254.169.254 does not answer here: any attempt would have run into the 5 s deadline.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.text).not.toContain(IMAP_USER.password);
  });

  it('never shows what the remote server said, even when it answers the login with text of its own', async () => {
    const said = `REMOTE-SAYS-${randomBytes(6).toString('hex')}`;
    const [imapServer, smtpServer] = await Promise.all([startRefusingImapServer(said, 'login'), startRefusingSmtpServer(said, 'login')]);
    try {
      const project = '/v1/projects/p-remote-text/channels/email';
      const channel = workingChannel();
      channel.imap = { ...channel.imap, host: '127.0.0.1', port: imapServer.port, encryption: 'tcp' };
      channel.smtp = { ...channel.smtp, host: '127.0.0.1', port: smtpServer.port, encryption: 'none' };
      expect((await call('PUT', project, channel)).status).toBe(200);
      const result = await call<TestConnectionResult>('POST', `${project}/test-connection`);
      expect(result.status).toBe(200);
      expect(imapServer.loginsSeen(), 'the fake IMAP server was asked to log in').toBeGreaterThan(0);
      expect(smtpServer.loginsSeen(), 'the fake SMTP server was asked to log in').toBeGreaterThan(0);
      expect(result.body.imap).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      expect(result.body.smtp).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      expect(result.text).not.toContain(said);
      expect((await call('GET', project)).text).not.toContain(said);
    } finally {
      await Promise.all([imapServer.stop(), smtpServer.stop()]);
    }

    // Refusals after the login (IMAP SELECT) and before it (SMTP EHLO and HELO), where the server's words used to
    // be quoted as the "detail" of the message.
    const [selectRefused, greetingRefused] = await Promise.all([startRefusingImapServer(said, 'select'), startRefusingSmtpServer(said, 'ehlo')]);
    try {
      const project = '/v1/projects/p-remote-text-2/channels/email';
      const channel = workingChannel();
      channel.imap = { ...channel.imap, host: '127.0.0.1', port: selectRefused.port, encryption: 'tcp' };
      channel.smtp = { ...channel.smtp, host: '127.0.0.1', port: greetingRefused.port, encryption: 'none' };
      expect((await call('PUT', project, channel)).status).toBe(200);
      const result = await call<TestConnectionResult>('POST', `${project}/test-connection`);
      expect(result.body.imap).toMatchObject({ ok: false, error: { code: 'mailbox_unavailable' } });
      expect(result.body.smtp).toMatchObject({ ok: false, error: { code: expect.any(String), hint: expect.any(String) } });
      expect(result.text).not.toContain(said);
    } finally {
      await Promise.all([selectRefused.stop(), greetingRefused.stop()]);
    }
  });

  it('takes bodies up to what the DTOs allow, answers larger ones with 413 naming the limit, and cleans the signature', async () => {
    const project = '/v1/projects/p-limits/channels/email';
    // 20,000 + 10,000 characters, each written as a \u escape (as JSON with ensure_ascii writes them): ~180 KB.
    const escaped = (length: number) => '\\u20ac'.repeat(length);
    const channel = workingChannel();
    const body = JSON.stringify({ ...channel, identity: { ...channel.identity, signatureHtml: '@SIGNATURE@' }, guidelines: '@GUIDELINES@' })
      .replace('@SIGNATURE@', `<p>${escaped(20_000 - 7)}</p>`)
      .replace('@GUIDELINES@', escaped(10_000));
    expect(Buffer.byteLength(body)).toBeGreaterThan(150_000);
    const large = await fetch(`${harness.url}${project}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    expect(large.status).toBe(200);
    const stored = await call<EmailChannelView>('GET', project);
    expect(stored.body.guidelines).toBe('€'.repeat(10_000));

    const tooLong = await call<{ message: string[] }>('PATCH', project, { identity: { signatureHtml: 'x'.repeat(20_001) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toEqual([expect.stringMatching(/^identity\.signatureHtml: /)]);

    const oversized = await call<{ statusCode: number; message: string }>('PATCH', project, { guidelines: 'x'.repeat(CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES) });
    expect(oversized.status).toBe(413);
    expect(oversized.body.message).toContain(`${CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES} bytes`);

    // Cleaned as inbound HTML is: handlers, scripts and 1×1 tracking pixels go; a logo image would stay.
    const hostile =
      '<p onmouseover="steal()">Regards<script>fetch("https://evil.example")</script><img src="https://evil.example/t.gif" width="1" height="1"></p>';
    const signed = await call<EmailChannelView>('PATCH', project, { identity: { signatureHtml: hostile } });
    expect(signed.status).toBe(200);
    expect(signed.body.identity?.signatureHtml).toContain('Regards');
    expect(signed.body.identity?.signatureHtml).not.toMatch(/onmouseover|script|evil\.example/);
    const snapshot = await eventually(async () => {
      const current = await snapshotOf('p-limits');
      return current?.identity?.signatureHtml.includes('Regards') ? current : null;
    });
    expect(snapshot.identity?.signatureHtml).not.toMatch(/script|evil\.example/);
  });

  it('rotates SECRETS_KEY: the previous key opens old passwords (old format too), which are re-sealed at start', async () => {
    const keyA = harness.environment.SECRETS_KEY as string;
    const keyB = randomBytes(32).toString('base64');
    const rotated = '/v1/projects/p-rotate/channels/email';
    const legacy = '/v1/projects/p-legacy/channels/email';
    expect((await call('PUT', rotated, workingChannel())).status).toBe(200);
    expect((await call('PUT', legacy, workingChannel())).status).toBe(200);
    const sealedColumns = async (projectId: string) =>
      (await harness.db.query<{ imap: string; smtp: string }>(
        'SELECT imap_password_sealed AS imap, smtp_password_sealed AS smtp FROM channel_config.email_channel WHERE project_id = $1',
        [projectId],
      )).rows[0];
    const idOfA = new SecretBox(decodeKey(keyA)).keyId;
    const idOfB = new SecretBox(decodeKey(keyB)).keyId;
    expect((await sealedColumns('p-rotate')).imap.startsWith(`v2.${idOfA}.`)).toBe(true);

    // A row as the previous release stored it: v1, no key id, no context.
    await harness.stopApp();
    await harness.db.query('UPDATE channel_config.email_channel SET imap_password_sealed = $2, smtp_password_sealed = $3 WHERE project_id = $1', [
      'p-legacy',
      legacySeal(decodeKey(keyA), IMAP_USER.password),
      legacySeal(decodeKey(keyA), SMTP_USER.password),
    ]);

    harness.environment.SECRETS_KEY = keyB;
    harness.environment.SECRETS_KEY_PREVIOUS = keyA;
    await harness.startApp();
    for (const projectId of ['p-rotate', 'p-legacy', 'p-connect']) {
      const columns = await sealedColumns(projectId);
      expect(columns.imap.startsWith(`v2.${idOfB}.`), projectId).toBe(true);
      expect(columns.smtp.startsWith(`v2.${idOfB}.`), projectId).toBe(true);
      // The bucket the other services read follows.
      const snapshot = await eventually(async () => {
        const current = await snapshotOf(projectId);
        return current?.imap?.password?.sealed === columns.imap ? current : null;
      });
      expect(snapshot.smtp?.password?.sealed).toBe(columns.smtp);
    }
    const audit = await call<{ entries: Array<{ action: string; changedFields: string[] }> }>('GET', `${legacy}/audit`);
    expect(audit.body.entries[0]).toMatchObject({ action: 'email_channel.passwords_resealed', changedFields: ['imap.password', 'smtp.password'] });

    // Without the previous key everything still works: nothing depends on key A any more.
    await harness.stopApp();
    harness.environment.SECRETS_KEY_PREVIOUS = undefined;
    await harness.startApp();
    for (const project of [rotated, legacy]) {
      expect((await call<TestConnectionResult>('POST', `${project}/test-connection`)).body, project).toEqual({ imap: { ok: true }, smtp: { ok: true } });
    }
    // A sealed password copied to another project (or host) in the bucket or the database does not open there.
    const { imap } = await sealedColumns('p-rotate');
    await harness.db.query('UPDATE channel_config.email_channel SET imap_password_sealed = $2 WHERE project_id = $1', ['p-legacy', imap]);
    expect((await call('POST', `${legacy}/test-connection`)).status).toBe(409);
  });
});

/** The sealed form of the release before key ids and context: `v1.<nonce>.<tag>.<ciphertext>`. */
function legacySeal(key: Buffer, plainText: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
  return ['v1', ...[nonce, cipher.getAuthTag(), body].map((part) => part.toString('base64url'))].join('.');
}

interface RefusingServer {
  port: number;
  loginsSeen(): number;
  stop(): Promise<void>;
}


/** An IMAP server that refuses every login (or, with `select`, takes it and refuses INBOX) with `said` as its reason. */
async function startRefusingImapServer(said: string, refuse: 'login' | 'select'): Promise<RefusingServer> {
  let logins = 0;
  const server = await startLineServer(`* OK [CAPABILITY IMAP4rev1] ${said} ready\r\n`, (line) => {
    const [tag, command = ''] = line.split(' ');
    switch (command.toUpperCase()) {
      case 'CAPABILITY':
        return `* CAPABILITY IMAP4rev1\r\n${tag} OK ${said}\r\n`;
      case 'LOGIN':
      case 'AUTHENTICATE':
        logins++;
        return refuse === 'login' ? `${tag} NO [AUTHENTICATIONFAILED] ${said}\r\n` : `${tag} OK ${said}\r\n`;
      case 'SELECT':
      case 'EXAMINE':
        return `${tag} NO ${said}\r\n`;
      case 'LOGOUT':
        return `* BYE ${said}\r\n${tag} OK ${said}\r\n`;
      default:
        return `${tag} BAD ${said}\r\n`;
    }
  });
  return { ...server, loginsSeen: () => logins };
}

/** An SMTP server that offers AUTH and refuses it (or, with `ehlo`, refuses EHLO and HELO) with `said` as its reason. */
async function startRefusingSmtpServer(said: string, refuse: 'login' | 'ehlo'): Promise<RefusingServer> {
  let logins = 0;
  const server = await startLineServer(`220 fake.test ESMTP ${said}\r\n`, (line, socket) => {
    const verb = line.split(' ')[0].toUpperCase();
    if (refuse === 'ehlo' && (verb === 'EHLO' || verb === 'HELO')) return `554 5.7.1 ${said}\r\n`;
    if (verb === 'EHLO') return `250-fake.test ${said}\r\n250 AUTH PLAIN LOGIN\r\n`;
    if (verb === 'AUTH') {
      logins++;
      return `535 5.7.8 ${said}\r\n`;
    }
    if (verb === 'QUIT') {
      socket.end(`221 ${said}\r\n`);
      return null;
    }
    return `502 ${said}\r\n`;
  });
  return { ...server, loginsSeen: () => logins };
}
