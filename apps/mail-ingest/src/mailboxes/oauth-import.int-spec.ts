/**
 * A mailbox that logs in with OAuth2 (XOAUTH2): Dovecot checks each token with the local OAuth2 provider (its oauth2
 * passdb, token introspection) and has no password for the account; mail-ingest gets the access token only from the
 * `oauth-access-tokens` bucket, as channel-config publishes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOAuthProvider, type OAuthTestProvider } from '@ensoras/testing';
import { IngestHarness, testMail, type RunningApp } from '../test-support/ingest-harness.js';

const PROJECT = 'p-oauth';
const ACCOUNT = 'oauth-mailbox@example.test';
const CLIENT = { clientId: 'ingest-test-client', clientSecret: 'ingest-test-secret' };

describe('mail-ingest with an OAuth2 mailbox', () => {
  let provider: OAuthTestProvider;
  let harness: IngestHarness;
  let app: RunningApp;

  beforeAll(async () => {
    provider = await startOAuthProvider({ clients: [CLIENT], account: ACCOUNT });
    // The only Dovecot user with a password is someone else: ACCOUNT can log in with a token or not at all.
    harness = await IngestHarness.start([{ username: 'nobody@example.test', password: 'unrelated' }], { oauth2IntrospectionUrl: provider.introspectionEndpoint });
    app = await harness.startApp();
  });

  afterAll(async () => {
    await harness?.stop();
    await provider?.stop();
  });

  const lastError = async () => (await app.mailbox(PROJECT))?.lastError ?? '';

  it('waits for a token, then imports with XOAUTH2; a revoked grant is an authentication failure that pauses the mailbox with the reason', async () => {
    await harness.dovecot.deliver(ACCOUNT, testMail({ subject: 'Before the token' }));
    const snapshot = await harness.putOAuthChannel(PROJECT, ACCOUNT, 'google');

    // No token published yet: retried with back-off, saying why; nothing imported.
    await eventually(async () => (/no Google access token yet/.test(await lastError()) ? true : null), { timeoutMs: 10_000 });
    expect(harness.eventsOf(PROJECT)).toEqual([]);

    const tokens = provider.issueTokens(ACCOUNT);
    await harness.putAccessToken(snapshot, tokens, 1);
    await eventually(() => (harness.eventsOf(PROJECT).length === 1 ? true : null), { timeoutMs: 20_000, message: 'the mail was not imported over XOAUTH2' });
    expect(harness.eventsOf(PROJECT)[0].envelope.payload.subject).toBe('Before the token');

    await harness.dovecot.deliver(ACCOUNT, testMail({ subject: 'While connected' }));
    await eventually(() => (harness.eventsOf(PROJECT).length === 2 ? true : null), { timeoutMs: 10_000 });

    // channel-config found the grant revoked. A new settings revision restarts the watcher, which must not log in.
    provider.revokeGrants(ACCOUNT);
    await harness.putAccessToken(snapshot, { revoked: 'the Google grant was revoked: connect the mailbox again' }, 2);
    await harness.putOAuthChannel(PROJECT, ACCOUNT, 'google');
    // A rejected login like a wrong password: after AUTH_FAILURES_BEFORE_PAUSE (3) the mailbox pauses, saying why.
    const paused = await eventually(async () => {
      const mailbox = await app.mailbox(PROJECT);
      return mailbox?.state === 'paused' ? mailbox : null;
    }, { timeoutMs: 20_000 });
    expect(paused.lastError).toContain('The Google grant was revoked: connect the mailbox again.');
  });

  it('counts a token Dovecot refuses (expired or revoked at the provider) as auth_failed, and never shows the token', async () => {
    const snapshot = await harness.putOAuthChannel(PROJECT, ACCOUNT, 'google');
    const tokens = provider.issueTokens(ACCOUNT);
    provider.revokeGrants(ACCOUNT);
    await harness.putAccessToken(snapshot, tokens, 3);
    const error = await eventually(async () => ((await lastError()).includes('rejected the OAuth2 access token') ? lastError() : null), { timeoutMs: 15_000 });
    expect(error).toMatch(/^auth_failed: The IMAP server at 127\.0\.0\.1:\d+ rejected the OAuth2 access token for this username\./);
    expect(JSON.stringify(await app.mailboxes())).not.toContain(tokens.accessToken);
  });
});
