/**
 * Replies of a channel whose SMTP logs in with OAuth2: the SMTP server takes only XOAUTH2, each token checked with the
 * local OAuth2 provider; mail-outbound has no password, only the access tokens channel-config publishes in the
 * `oauth-access-tokens` bucket.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_ACCESS_TOKEN_BUCKET, type ChannelSettingsSnapshot, type OAuthAccessTokenEntry } from '@ensoras/contracts';
import { channelAccessTokenContext } from '@ensoras/secrets';
import { eventually, startOAuthProvider, startSmtpServer, type OAuthTestProvider, type SmtpTestServer } from '@ensoras/testing';
import { OutboundHarness } from '../test-support/outbound-harness.js';

const ACCOUNT = 'support@shop.example';
const CLIENT = { clientId: 'outbound-test-client', clientSecret: 'outbound-test-secret' };

describe('mail-outbound with an OAuth2 (XOAUTH2) SMTP login', () => {
  let harness: OutboundHarness;
  let provider: OAuthTestProvider;
  let smtp: SmtpTestServer;

  const snapshot = (projectId: string) =>
    harness.channel(projectId, { smtp: { host: smtp.host, port: smtp.port, encryption: 'none', username: ACCOUNT, auth: { type: 'oauth2', provider: 'google' } } });

  /** What channel-config publishes: the token sealed for the channel's SMTP settings, or the revocation. */
  async function publishToken(channel: ChannelSettingsSnapshot, token: { accessToken: string; expiresAt: Date } | { revoked: string }, version: number) {
    const base = { projectId: channel.projectId, direction: 'smtp' as const, provider: 'google' as const, version };
    const entry: OAuthAccessTokenEntry =
      'revoked' in token
        ? { ...base, revoked: token.revoked, revokedAt: new Date().toISOString() }
        : {
            ...base,
            account: ACCOUNT,
            accessToken: harness.box.seal(token.accessToken, channelAccessTokenContext(channel.projectId, 'smtp', channel.smtp!)),
            expiresAt: token.expiresAt.toISOString(),
          };
    await (await harness.buckets.bucket(OAUTH_ACCESS_TOKEN_BUCKET)).put(`${channel.projectId}.smtp`, JSON.stringify(entry));
  }

  async function requestReply(projectId: string, subject: string): Promise<string> {
    const request = harness.sendRequest(projectId, { from: { address: ACCOUNT, name: 'Shop' }, subject });
    await harness.requestSend(request);
    return request.payload.outboundMessageId;
  }

  beforeAll(async () => {
    provider = await startOAuthProvider({ clients: [CLIENT], account: ACCOUNT });
    [harness, smtp] = await Promise.all([OutboundHarness.start(), startSmtpServer({ mode: 'plain', oauth2IntrospectionUrl: provider.introspectionEndpoint })]);
    for (const projectId of ['oauth-send', 'oauth-later']) await harness.putChannel(snapshot(projectId));
    await harness.startApp();
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.allSettled([smtp?.stop(), provider?.stop()]);
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
      const current = await harness.deliveryRow(id);
      return current?.status === 'held' && current.failure_code === 'smtp_paused' ? current : null;
    }, { timeoutMs: 30_000 });
    expect(row.last_error).toContain('The Google grant was revoked: connect the mailbox again.');
    expect(smtp.messages.map((mail) => mail.parsed.subject)).not.toContain('Re: after revocation');
  });

  it('holds a reply while no token is there (retried with back-off) and sends it once one is published', async () => {
    const id = await requestReply('oauth-later', 'Re: waiting for a token');
    const waiting = await eventually(async () => {
      const current = await harness.deliveryRow(id);
      return current?.status === 'retrying' ? current : null;
    }, { timeoutMs: 15_000 });
    expect(waiting.failure_code).toBe('oauth_token_unavailable');
    await publishToken(snapshot('oauth-later'), provider.issueTokens(ACCOUNT), 1);
    await eventually(() => smtp.messages.find((mail) => mail.parsed.subject === 'Re: waiting for a token') ?? null, { timeoutMs: 30_000 });
    expect(await eventually(async () => ((await harness.deliveryRow(id))?.status === 'sent' ? true : null), { timeoutMs: 10_000 })).toBe(true);
  });
});
