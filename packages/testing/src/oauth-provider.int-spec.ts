import { createHash, randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from './dovecot.js';
import { startOAuthProvider, type OAuthTestProvider } from './oauth-provider.js';
import { startSmtpServer, type SmtpTestServer } from './smtp.js';

const CLIENT = { clientId: 'mail-client', clientSecret: 'client-secret-1' };
const ACCOUNT = 'oauth-user@example.test';
const REDIRECT = 'http://127.0.0.1:1/callback';

/** Consent and code exchange by hand, as a client library would do them. */
async function connect(provider: OAuthTestProvider, scope = 'openid email https://mail.google.com/') {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(provider.authorizationEndpoint);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    scope,
    state: 'state-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(key, value);
  }
  const consent = await fetch(authorize, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location') ?? '');
  const exchange = (codeVerifier: string) =>
    fetch(provider.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        code_verifier: codeVerifier,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      }),
    });
  return { back, exchange, verifier };
}

async function refresh(provider: OAuthTestProvider, refreshToken: string) {
  const response = await fetch(provider.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('the local OAuth2 provider', () => {
  let provider: OAuthTestProvider;
  let rotating: OAuthTestProvider;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    [provider, rotating] = await Promise.all([
      startOAuthProvider({ clients: [CLIENT], account: ACCOUNT }),
      startOAuthProvider({ clients: [CLIENT], account: ACCOUNT, rotateRefreshTokens: true }),
    ]);
    [dovecot, smtp] = await Promise.all([
      startDovecot({ users: [{ username: 'password-user@example.test', password: 'pw' }], oauth2IntrospectionUrl: provider.introspectionEndpoint }),
      startSmtpServer({ mode: 'plain', oauth2IntrospectionUrl: provider.introspectionEndpoint }),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([provider?.stop(), rotating?.stop(), dovecot?.stop(), smtp?.stop()]);
  });

  it('consents with a code bound to PKCE: the wrong verifier fails, the right one gets tokens and an ID token, once', async () => {
    const { back, exchange, verifier } = await connect(provider);
    expect(back.searchParams.get('state')).toBe('state-1');
    expect((await exchange('not-the-verifier')).status).toBe(400);
    // A failed attempt used the code up, as a stolen code must not be retried.
    const again = await connect(provider);
    const tokens = (await (await again.exchange(again.verifier)).json()) as Record<string, string>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ email: ACCOUNT, aud: CLIENT.clientId, iss: provider.issuer });
    expect((await again.exchange(again.verifier)).status).toBe(400);
    expect(verifier).not.toBe(again.verifier);
  });

  it('answers access_denied when the user does not consent', async () => {
    provider.denyNextConsent();
    const { back } = await connect(provider);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('refreshes, rotating the refresh token when told to, and answers invalid_grant after revocation', async () => {
    const { exchange, verifier } = await connect(rotating);
    const first = (await (await exchange(verifier)).json()) as Record<string, string>;
    const refreshed = await refresh(rotating, first.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toMatch(/^rt-/);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect((await refresh(rotating, first.refresh_token)).body.error).toBe('invalid_grant');
    rotating.revokeGrants(ACCOUNT);
    expect((await refresh(rotating, refreshed.body.refresh_token)).body.error).toBe('invalid_grant');
    expect(rotating.introspect(refreshed.body.access_token)).toEqual({ active: false });
  });

  it('lets Dovecot log in with XOAUTH2 for an account that has no password, and not after revocation', async () => {
    const { exchange, verifier } = await connect(provider);
    const tokens = (await (await exchange(verifier)).json()) as Record<string, string>;
    const login = async (accessToken: string, user = ACCOUNT) => {
      const client = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, doSTARTTLS: false, auth: { user, accessToken }, logger: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.mailboxOpen('INBOX');
        await client.logout();
        return 'ok';
      } catch (error) {
        client.close();
        return (error as { authenticationFailed?: boolean }).authenticationFailed ? 'auth_failed' : String(error);
      }
    };
    expect(await login(tokens.access_token)).toBe('ok');
    expect(await login(tokens.access_token, 'someone-else@example.test')).toBe('auth_failed');
    expect(await login('at-made-up')).toBe('auth_failed');
    provider.revokeGrants(ACCOUNT);
    expect(await login(tokens.access_token)).toBe('auth_failed');
  });

  it('has an SMTP server that takes mail over XOAUTH2 with an active token for the AUTH user only', async () => {
    const { exchange, verifier } = await connect(provider);
    const tokens = (await (await exchange(verifier)).json()) as Record<string, string>;
    const send = (accessToken: string) =>
      createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true, auth: { type: 'OAuth2', user: ACCOUNT, accessToken } }).sendMail({
        from: ACCOUNT,
        to: 'customer@example.test',
        subject: 'Hello',
        text: 'Over XOAUTH2',
      });
    await send(tokens.access_token);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail).toMatchObject({ authUser: ACCOUNT, authMethod: 'XOAUTH2' });
    await expect(send('at-made-up')).rejects.toMatchObject({ code: 'EAUTH' });
  });
});
