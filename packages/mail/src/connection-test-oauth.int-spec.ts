/**
 * Test Connection with an OAuth2 access token (XOAUTH2) against Dovecot's oauth2 passdb and an SMTP server that
 * checks tokens, both asking the local OAuth2 provider.
 */
import { startDovecot, startOAuthProvider, startSmtpServer, type DovecotServer, type OAuthTestProvider, type SmtpTestServer } from '@ensoras/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testImapConnection, testSmtpConnection } from './connection-test.js';

const ACCOUNT = 'oauth-support@example.test';

describe('Test Connection with XOAUTH2', () => {
  let provider: OAuthTestProvider;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    provider = await startOAuthProvider({ clients: [{ clientId: 'c', clientSecret: 's' }], account: ACCOUNT });
    [dovecot, smtp] = await Promise.all([
      startDovecot({ users: [{ username: 'other@example.test', password: 'x' }], oauth2IntrospectionUrl: provider.introspectionEndpoint }),
      startSmtpServer({ mode: 'plain', oauth2IntrospectionUrl: provider.introspectionEndpoint }),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([dovecot?.stop(), smtp?.stop(), provider?.stop()]);
  });

  const imap = (accessToken: string) => ({
    host: dovecot.host, port: dovecot.imapPort, encryption: 'tcp' as const, username: ACCOUNT, validateCertificate: true, markAsRead: false, accessToken,
  });
  const smtpSettings = (accessToken: string) => ({ host: smtp.host, port: smtp.port, encryption: 'none' as const, username: ACCOUNT, accessToken });

  it('logs in to IMAP and SMTP with a live token', async () => {
    const { accessToken } = provider.issueTokens(ACCOUNT);
    expect(await testImapConnection(imap(accessToken), { timeoutMs: 5_000 })).toEqual({ ok: true });
    expect(await testSmtpConnection(smtpSettings(accessToken), { timeoutMs: 5_000 })).toEqual({ ok: true });
  });

  it('reports a refused token as auth_failed with OAuth advice, never echoing the token', async () => {
    const { accessToken } = provider.issueTokens(ACCOUNT);
    provider.revokeGrants(ACCOUNT);
    for (const check of [await testImapConnection(imap(accessToken), { timeoutMs: 5_000 }), await testSmtpConnection(smtpSettings(accessToken), { timeoutMs: 5_000 })]) {
      expect(check).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      expect(check.error?.message).toMatch(/rejected the OAuth2 access token/);
      expect(JSON.stringify(check)).not.toContain(accessToken);
    }
  });
});
