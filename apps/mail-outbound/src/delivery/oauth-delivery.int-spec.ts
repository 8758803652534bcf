/**
 * Replies of a channel whose SMTP logs in with OAuth2: the SMTP server takes only XOAUTH2, each token checked with the
 * local OAuth2 provider; mail-outbound has no password, only the access tokens channel-config publishes in the
 * `oauth-access-tokens` bucket.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstream, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  createEnvelope,
  MailSendRequested,
  OAUTH_ACCESS_TOKEN_BUCKET,
  type ChannelSettingsSnapshot,
  type OAuthAccessTokenEntry,
} from '@ensoras/contracts';
import { startService } from '@ensoras/runtime';
import { channelAccessTokenContext, decodeKey, SecretBox } from '@ensoras/secrets';
import {
  createTestDatabase,
  eventually,
  startNats,
  startOAuthProvider,
  startSmtpServer,
  type NatsTestServer,
  type OAuthTestProvider,
  type SmtpTestServer,
  type TestDatabase,
} from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';

const ACCOUNT = 'support@shop.example';
const CLIENT = { clientId: 'outbound-test-client', clientSecret: 'outbound-test-secret' };

describe('mail-outbound with an OAuth2 (XOAUTH2) SMTP login', () => {
  const secretsKey = randomBytes(32).toString('base64');
  const box = new SecretBox(decodeKey(secretsKey));
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-outbound-oauth-'));
  let provider: OAuthTestProvider;
  let nats: NatsTestServer;
  let database: TestDatabase;
  let smtp: SmtpTestServer;
  let app: INestApplication;
  let client: NatsConnection;
  let db: pg.Client;
  let settings: KV;
  let tokens: KV;

  function snapshot(projectId: string): ChannelSettingsSnapshot {
    return {
      projectId,
      enabled: true,
      revision: 1,
      updatedAt: new Date().toISOString(),
      communicationStyle: '',
      imap: null,
      smtp: { host: smtp.host, port: smtp.port, encryption: 'none', username: ACCOUNT, validateCertificate: true, auth: { type: 'oauth2', provider: 'google' } },
      identity: { fromEmail: ACCOUNT, fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
    };
  }

  /** What channel-config publishes: the token sealed for the channel's SMTP settings, or the revocation. */
  async function publishToken(channel: ChannelSettingsSnapshot, token: { accessToken: string; expiresAt: Date } | { revoked: string }, version: number) {
    const base = { projectId: channel.projectId, direction: 'smtp' as const, provider: 'google' as const, version };
    const entry: OAuthAccessTokenEntry =
      'revoked' in token
        ? { ...base, revoked: token.revoked, revokedAt: new Date().toISOString() }
        : {
            ...base,
            account: ACCOUNT,
            accessToken: box.seal(token.accessToken, channelAccessTokenContext(channel.projectId, 'smtp', channel.smtp!)),
            expiresAt: token.expiresAt.toISOString(),
          };
    await tokens.put(`${channel.projectId}.smtp`, JSON.stringify(entry));
  }

  async function requestReply(projectId: string, subject: string): Promise<string> {
    const envelope = createEnvelope(MailSendRequested, projectId, {
      outboundMessageId: randomUUID(),
      ticketId: randomUUID(),
      from: { address: ACCOUNT, name: 'Shop' },
      to: [{ address: 'anna@customer.example', name: 'Anna' }],
      cc: [],
      subject,
      messageId: `<${randomUUID()}@shop.example>`,
      inReplyTo: null,
      references: [],
      text: 'Hello Anna',
      html: null,
    });
    await jetstream(client).publish(MailSendRequested.subject(projectId), JSON.stringify(envelope), { msgID: envelope.id });
    return envelope.payload.outboundMessageId;
  }

  const deliveryRow = async (outboundMessageId: string) =>
    (await db.query('SELECT status, failure_code, last_error FROM mail_outbound.delivery WHERE outbound_message_id = $1', [outboundMessageId])).rows[0] as
      | { status: string; failure_code: string | null; last_error: string | null }
      | undefined;

  beforeAll(async () => {
    provider = await startOAuthProvider({ clients: [CLIENT], account: ACCOUNT });
    [nats, database, smtp] = await Promise.all([startNats(), createTestDatabase(), startSmtpServer({ mode: 'plain', oauth2IntrospectionUrl: provider.introspectionEndpoint })]);
    client = await connect({ servers: nats.url });
    settings = await new Kvm(client).create(CHANNEL_SETTINGS_BUCKET, { storage: StorageType.File, history: 1 });
    tokens = await new Kvm(client).create(OAUTH_ACCESS_TOKEN_BUCKET, { storage: StorageType.File, history: 1 });
    for (const projectId of ['oauth-send', 'oauth-later']) await settings.put(projectId, JSON.stringify(snapshot(projectId)));
    const environment = Object.assign(new MailOutboundEnvironment(), { NATS_URL: nats.url, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: 0, SECRETS_KEY: secretsKey });
    app = await startService({ name: 'mail-outbound', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'mail-outbound' });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await client?.close();
    await Promise.allSettled([smtp?.stop(), nats?.stop(), database?.drop(), provider?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a reply over XOAUTH2, and over a new connection with the new token once channel-config publishes one', async () => {
    const channel = snapshot('oauth-send');
    await publishToken(channel, provider.issueTokens(ACCOUNT), 1);
    await requestReply('oauth-send', 'Re: first');
    const [first] = await smtp.waitForMessages(1, 20_000);
    expect(first).toMatchObject({ authUser: ACCOUNT, authMethod: 'XOAUTH2' });
    expect(first.parsed.subject).toBe('Re: first');

    // The old grant is revoked at the provider (its token no longer logs in) and a new token is published: the next
    // reply must not go over the pool of the old token.
    provider.revokeGrants(ACCOUNT);
    await publishToken(channel, provider.issueTokens(ACCOUNT), 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await requestReply('oauth-send', 'Re: second');
    const [, second] = await smtp.waitForMessages(2, 20_000);
    expect(second).toMatchObject({ authUser: ACCOUNT, authMethod: 'XOAUTH2' });
    expect(second.parsed.subject).toBe('Re: second');
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it('holds a reply when the grant was revoked, like a rejected password, and pauses sending with the reason', async () => {
    await publishToken(snapshot('oauth-send'), { revoked: 'the Google grant was revoked: connect the mailbox again' }, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = await requestReply('oauth-send', 'Re: after revocation');
    const row = await eventually(async () => {
      const current = await deliveryRow(id);
      return current?.status === 'held' && current.failure_code === 'smtp_paused' ? current : null;
    }, { timeoutMs: 30_000 });
    expect(row.last_error).toContain('The Google grant was revoked: connect the mailbox again.');
    expect(smtp.messages.map((mail) => mail.parsed.subject)).not.toContain('Re: after revocation');
  });

  it('holds a reply while no token is there (retried with back-off) and sends it once one is published', async () => {
    const id = await requestReply('oauth-later', 'Re: waiting for a token');
    const waiting = await eventually(async () => {
      const current = await deliveryRow(id);
      return current?.status === 'retrying' ? current : null;
    }, { timeoutMs: 15_000 });
    expect(waiting.failure_code).toBe('oauth_token_unavailable');
    await publishToken(snapshot('oauth-later'), provider.issueTokens(ACCOUNT), 1);
    await eventually(() => smtp.messages.find((mail) => mail.parsed.subject === 'Re: waiting for a token') ?? null, { timeoutMs: 30_000 });
    expect(await eventually(async () => ((await deliveryRow(id))?.status === 'sent' ? true : null), { timeoutMs: 10_000 })).toBe(true);
  });
});
