import type { KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  OAUTH_ACCESS_TOKEN_BUCKET,
  type AuditEntryView,
  type ChannelSettingsSnapshot,
  type EmailChannelView,
  type OAuthAccessTokenEntry,
  type OAuthStateView,
  type TestConnectionResult,
} from '@ensoras/contracts';
import { channelAccessTokenContext, SecretBox } from '@ensoras/secrets';
import {
  eventually,
  startDovecot,
  startOAuthProvider,
  startSmtpServer,
  type DovecotServer,
  type OAuthTestProvider,
  type SmtpTestServer,
} from '@ensoras/testing';
import { ChannelConfigHarness } from '../test-support/channel-config-harness.js';

const ACCOUNT = 'support@example.test';
const GOOGLE = { clientId: 'google-client', clientSecret: 'google-secret-1' };
const MICROSOFT = { clientId: 'microsoft-client', clientSecret: 'microsoft-secret-1' };
const PROJECT_CLIENT = { clientId: 'project-own-client', clientSecret: 'project-secret-9' };
/** Short-lived tokens, so the refresher has to work during the test (refreshed when < 3 s are left). */
const TOKEN_LIFETIME_SECONDS = 6;

describe('OAuth2 for mailboxes (channel-config against a local provider, Dovecot and an SMTP server checking XOAUTH2)', () => {
  let harness: ChannelConfigHarness;
  let google: OAuthTestProvider;
  let microsoft: OAuthTestProvider;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  let tokens: KV;
  let settings: KV;

  beforeAll(async () => {
    [google, microsoft] = await Promise.all([
      startOAuthProvider({ clients: [GOOGLE, PROJECT_CLIENT], account: ACCOUNT, accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS }),
      // Microsoft rotates refresh tokens.
      startOAuthProvider({ clients: [MICROSOFT], account: ACCOUNT, rotateRefreshTokens: true, accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS }),
    ]);
    [harness, dovecot, smtp] = await Promise.all([
      ChannelConfigHarness.start({
        TEST_CONNECTION_TIMEOUT_MS: 5_000,
        OAUTH_ALLOW_HTTP_ENDPOINTS: true,
        OAUTH_REDIRECT_URL: 'http://127.0.0.1:1/v1/oauth/callback', // replaced below, once the port is known
        OAUTH_REFRESH_AHEAD_SECONDS: 3,
        OAUTH_REFRESH_CHECK_MS: 250,
        GOOGLE_OAUTH_CLIENT_ID: GOOGLE.clientId,
        GOOGLE_OAUTH_CLIENT_SECRET: GOOGLE.clientSecret,
        GOOGLE_OAUTH_ISSUER: google.issuer,
        GOOGLE_OAUTH_AUTHORIZATION_URL: google.authorizationEndpoint,
        GOOGLE_OAUTH_TOKEN_URL: google.tokenEndpoint,
        GOOGLE_OAUTH_REVOCATION_URL: google.revocationEndpoint,
        GOOGLE_OAUTH_MAIL_HOSTS: '127.0.0.1',
        MICROSOFT_OAUTH_CLIENT_ID: MICROSOFT.clientId,
        MICROSOFT_OAUTH_CLIENT_SECRET: MICROSOFT.clientSecret,
        MICROSOFT_OAUTH_ISSUER: microsoft.issuer,
        MICROSOFT_OAUTH_AUTHORIZATION_URL: microsoft.authorizationEndpoint,
        MICROSOFT_OAUTH_TOKEN_URL: microsoft.tokenEndpoint,
        MICROSOFT_OAUTH_MAIL_HOSTS: '127.0.0.1',
      }),
      // No password for the account anywhere: only tokens the Google provider vouches for log in.
      startDovecot({ users: [{ username: 'someone-else@example.test', password: 'unused' }], oauth2IntrospectionUrl: google.introspectionEndpoint }),
      startSmtpServer({ mode: 'plain', oauth2IntrospectionUrl: google.introspectionEndpoint }),
    ]);
    // The redirect URL is read per request, so the real port can be filled in now.
    harness.environment.OAUTH_REDIRECT_URL = `${harness.url}/v1/oauth/callback`;
    tokens = await harness.bucket(OAUTH_ACCESS_TOKEN_BUCKET);
    settings = await harness.bucket(CHANNEL_SETTINGS_BUCKET);
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.allSettled([dovecot?.stop(), smtp?.stop(), google?.stop(), microsoft?.stop()]);
  });

  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => harness.call<T>(method, path, body);

  /** What the admin's browser does: open the consent URL, follow the provider's redirect to our callback. */
  async function consent(projectId: string, provider: 'google' | 'microsoft'): Promise<{ status: number; page: string }> {
    const started = await call<{ url: string }>('POST', `/v1/projects/${projectId}/channels/email/oauth/start`, { provider });
    expect(started.status).toBe(200);
    const atProvider = await fetch(started.body.url, { redirect: 'manual' });
    const callback = atProvider.headers.get('location') ?? '';
    expect(callback.startsWith(`${harness.url}/v1/oauth/callback?`)).toBe(true);
    const page = await fetch(callback);
    return { status: page.status, page: await page.text() };
  }

  function oauthChannel(provider: 'google' | 'microsoft') {
    return {
      imap: { host: dovecot.host, port: dovecot.imapPort, encryption: 'tcp', username: ACCOUNT, auth: { type: 'oauth2', provider } },
      smtp: { host: smtp.host, port: smtp.port, encryption: 'none', username: ACCOUNT, auth: { type: 'oauth2', provider } },
      identity: { fromEmail: ACCOUNT, fromName: 'Support' },
    };
  }

  async function tokenEntry(projectId: string, direction: 'imap' | 'smtp'): Promise<OAuthAccessTokenEntry | null> {
    const entry = await tokens.get(`${projectId}.${direction}`);
    return entry?.operation === 'PUT' ? entry.json<OAuthAccessTokenEntry>() : null;
  }

  async function snapshotOf(projectId: string): Promise<ChannelSettingsSnapshot> {
    return eventually(async () => (await settings.get(projectId))?.json<ChannelSettingsSnapshot>() ?? null);
  }

  it('connects Google end to end: consent URL with PKCE, callback, grant sealed, token in KV for each direction, Test Connection ok', async () => {
    const projectId = 'oauth-google';
    expect((await call('PUT', `/v1/projects/${projectId}/channels/email`, oauthChannel('google'))).status).toBe(200);

    const started = await call<{ url: string }>('POST', `/v1/projects/${projectId}/channels/email/oauth/start`, { provider: 'google' });
    const url = new URL(started.body.url);
    expect(url.origin + url.pathname).toBe(google.authorizationEndpoint);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: GOOGLE.clientId,
      code_challenge_method: 'S256',
      scope: 'openid email https://mail.google.com/',
      access_type: 'offline',
      prompt: 'consent',
      redirect_uri: `${harness.url}/v1/oauth/callback`,
    });
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);

    const { status, page } = await consent(projectId, 'google');
    expect(status).toBe(200);
    expect(page).toContain('Mailbox connected with Google');
    expect(page).toContain(ACCOUNT);

    // The grant is in the database only sealed: no refresh or access token the provider issued appears in clear.
    const { rows } = await harness.db.query('SELECT * FROM channel_config.oauth_grant WHERE project_id = $1', [projectId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'google', account: ACCOUNT, client_id: GOOGLE.clientId });
    const stored = JSON.stringify(rows[0]);
    for (const refreshToken of google.liveRefreshTokens()) expect(stored).not.toContain(refreshToken);
    expect(stored).not.toMatch(/"(rt|at)-/);
    expect(rows[0].refresh_token_sealed).toMatch(/^v2\./);

    // Each direction gets the access token sealed for its own settings; it opens only with those.
    const snapshot = await snapshotOf(projectId);
    expect(snapshot.imap).not.toHaveProperty('password');
    expect(snapshot.imap?.auth).toEqual({ type: 'oauth2', provider: 'google' });
    const imapEntry = await eventually(() => tokenEntry(projectId, 'imap'));
    expect(imapEntry).toMatchObject({ provider: 'google', account: ACCOUNT, direction: 'imap' });
    const box = new SecretBox(Buffer.from(harness.environment.SECRETS_KEY!, 'base64'));
    const accessToken = box.open((imapEntry as { accessToken: { sealed: string } }).accessToken, channelAccessTokenContext(projectId, 'imap', snapshot.imap!));
    expect(google.introspect(accessToken)).toMatchObject({ active: true, email: ACCOUNT });
    expect(() => box.open((imapEntry as { accessToken: { sealed: string } }).accessToken, channelAccessTokenContext(projectId, 'smtp', snapshot.smtp!))).toThrow();
    expect(await tokenEntry(projectId, 'smtp')).toMatchObject({ direction: 'smtp', provider: 'google' });

    const test = await call<TestConnectionResult>('POST', `/v1/projects/${projectId}/channels/email/test-connection`);
    expect(test.body).toEqual({ imap: { ok: true }, smtp: { ok: true } });

    const view = await call<EmailChannelView>('GET', `/v1/projects/${projectId}/channels/email`);
    expect(view.body.imap).toMatchObject({ auth: { type: 'oauth2', provider: 'google' }, passwordSet: false });
    expect(view.body.oauth).toEqual([
      expect.objectContaining({ provider: 'google', account: ACCOUNT, state: 'connected', accessWorks: true, lastError: null, client: 'deployment' }),
    ]);
    expect(JSON.stringify(view.body)).not.toMatch(/"(rt|at)-|v2\./);

    const audit = await call<{ entries: AuditEntryView[] }>('GET', `/v1/projects/${projectId}/channels/email/audit`);
    expect(audit.body.entries.map((entry) => entry.action)).toContain('email_channel.oauth_connected');
    expect(audit.body.entries.find((entry) => entry.action === 'email_channel.oauth_connected')?.changedFields).toEqual(['oauth.google']);
  });

  it('refreshes the access token before it expires and publishes each new one', async () => {
    const projectId = 'oauth-google';
    const before = (await tokenEntry(projectId, 'imap'))!;
    const refreshesBefore = google.tokenRequests.filter((request) => request.grantType === 'refresh_token' && request.ok).length;
    // Lifetime 6 s, refreshed when fewer than 3 s are left: a new token well before the old one expires.
    const after = await eventually(async () => {
      const entry = await tokenEntry(projectId, 'imap');
      return entry && entry.version > before.version ? entry : null;
    }, { timeoutMs: 10_000 });
    expect('expiresAt' in after && 'expiresAt' in before && Date.parse(after.expiresAt) > Date.parse(before.expiresAt)).toBe(true);
    expect(Date.now()).toBeLessThan(Date.parse((before as { expiresAt: string }).expiresAt));
    expect(google.tokenRequests.filter((request) => request.grantType === 'refresh_token' && request.ok).length).toBeGreaterThan(refreshesBefore);
  });

  it('seals the token anew for changed IMAP settings, so it opens only for what the snapshot now says', async () => {
    const projectId = 'oauth-google';
    const before = (await snapshotOf(projectId)).imap!;
    const patched = await call('PATCH', `/v1/projects/${projectId}/channels/email`, { imap: { port: dovecot.imapsPort, encryption: 'ssl', validateCertificate: false } });
    expect(patched.status).toBe(200);
    const after = await eventually(async () => {
      const snapshot = await snapshotOf(projectId);
      return snapshot.imap?.port === dovecot.imapsPort ? snapshot.imap : null;
    });
    const box = new SecretBox(Buffer.from(harness.environment.SECRETS_KEY!, 'base64'));
    const opened = await eventually(async () => {
      const entry = await tokenEntry(projectId, 'imap');
      if (!entry || !('accessToken' in entry)) return null;
      try {
        return box.open(entry.accessToken, channelAccessTokenContext(projectId, 'imap', after));
      } catch {
        return null; // still the entry sealed for the old settings
      }
    });
    expect(google.introspect(opened).active).toBe(true);
    const entry = (await tokenEntry(projectId, 'imap')) as { accessToken: { sealed: string } };
    expect(() => box.open(entry.accessToken, channelAccessTokenContext(projectId, 'imap', before))).toThrow();
    expect((await call<TestConnectionResult>('POST', `/v1/projects/${projectId}/channels/email/test-connection`)).body.imap).toEqual({ ok: true });
  });

  it('stores the rotated refresh token Microsoft hands out with each refresh, and keeps refreshing with it', async () => {
    const projectId = 'oauth-microsoft';
    expect((await call('PUT', `/v1/projects/${projectId}/channels/email`, { ...oauthChannel('microsoft'), smtp: { ...oauthChannel('microsoft').smtp, auth: { type: 'password' }, password: 'p' } })).status).toBe(200);
    expect((await consent(projectId, 'microsoft')).status).toBe(200);
    const first = await eventually(() => tokenEntry(projectId, 'imap'));
    expect(await tokenEntry(projectId, 'smtp')).toBeNull(); // SMTP logs in with its password
    // Two refreshes in a row only work when the rotated refresh token of the first was stored (the old one is dead).
    await eventually(async () => {
      const entry = await tokenEntry(projectId, 'imap');
      return entry && entry.version >= first.version + 2 ? entry : null;
    }, { timeoutMs: 15_000 });
    expect(microsoft.tokenRequests.filter((request) => request.grantType === 'refresh_token' && !request.ok)).toEqual([]);
    expect(microsoft.liveRefreshTokens()).toHaveLength(1);
    const { rows } = await harness.db.query('SELECT refresh_token_sealed FROM channel_config.oauth_grant WHERE project_id = $1', [projectId]);
    expect(JSON.stringify(rows)).not.toContain(microsoft.liveRefreshTokens()[0]);
  });

  it('marks the grant revoked when the provider answers invalid_grant, tells the other services, and Test Connection says auth_failed', async () => {
    const projectId = 'oauth-google';
    google.revokeGrants(ACCOUNT);
    const revoked = await eventually(async () => {
      const entry = await tokenEntry(projectId, 'imap');
      return entry && 'revoked' in entry ? entry : null;
    }, { timeoutMs: 10_000 });
    expect(revoked.revoked).toBe('the Google grant was revoked: connect the mailbox again');
    expect(await tokenEntry(projectId, 'smtp')).toMatchObject({ revoked: 'the Google grant was revoked: connect the mailbox again' });

    const state = await call<OAuthStateView>('GET', `/v1/projects/${projectId}/channels/email/oauth`);
    expect(state.body.connections).toEqual([expect.objectContaining({ provider: 'google', state: 'revoked', accessWorks: false })]);

    const test = await call<TestConnectionResult>('POST', `/v1/projects/${projectId}/channels/email/test-connection`);
    expect(test.body.imap).toMatchObject({ ok: false, error: { code: 'auth_failed', message: 'The Google grant was revoked: connect the mailbox again.' } });
    expect(test.body.smtp).toMatchObject({ ok: false, error: { code: 'auth_failed' } });

    // Connecting again stores a new grant and bumps the revision (what resumes a direction paused on the revocation).
    const revisionBefore = (await snapshotOf(projectId)).revision;
    expect((await consent(projectId, 'google')).status).toBe(200);
    await eventually(async () => ((await snapshotOf(projectId)).revision > revisionBefore ? true : null));
    const fresh = await eventually(async () => {
      const entry = await tokenEntry(projectId, 'imap');
      return entry && !('revoked' in entry) ? entry : null;
    });
    expect(fresh.version).toBeGreaterThan(revoked.version);
    expect((await call<TestConnectionResult>('POST', `/v1/projects/${projectId}/channels/email/test-connection`)).body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
  });

  it('refuses a used or unknown state, reports a declined consent, and answers 409 for a provider without a client', async () => {
    const started = await call<{ url: string }>('POST', '/v1/projects/oauth-states/channels/email/oauth/start', { provider: 'google' });
    const callback = (await fetch(started.body.url, { redirect: 'manual' })).headers.get('location') ?? '';
    expect((await fetch(callback)).status).toBe(200);
    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('unknown or was already used');
    expect((await fetch(`${harness.url}/v1/oauth/callback?code=x&state=made-up`)).status).toBe(400);

    google.denyNextConsent();
    const declined = await consent('oauth-declined', 'google');
    expect(declined.status).toBe(400);
    expect(declined.page).toContain('the consent was declined');
    expect((await harness.db.query("SELECT 1 FROM channel_config.oauth_grant WHERE project_id = 'oauth-declined'")).rowCount).toBe(0);

    expect((await call('POST', '/v1/projects/oauth-states/channels/email/oauth/start', { provider: 'aol' })).status).toBe(400);
    const unauthenticated = await fetch(`${harness.url}/v1/projects/oauth-states/channels/email/oauth/start`, { method: 'POST' });
    expect(unauthenticated.status).toBe(401);
  });

  it('uses a project\'s own client (secret sealed, never shown) instead of the deployment\'s', async () => {
    const projectId = 'oauth-own-client';
    const put = await call('PUT', `/v1/projects/${projectId}/channels/email/oauth/clients/google`, PROJECT_CLIENT);
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(PROJECT_CLIENT.clientSecret);
    const { rows } = await harness.db.query('SELECT client_secret_sealed FROM channel_config.oauth_client WHERE project_id = $1', [projectId]);
    expect(rows[0].client_secret_sealed).toMatch(/^v2\./);
    const started = await call<{ url: string }>('POST', `/v1/projects/${projectId}/channels/email/oauth/start`, { provider: 'google' });
    expect(new URL(started.body.url).searchParams.get('client_id')).toBe(PROJECT_CLIENT.clientId);
    expect((await consent(projectId, 'google')).status).toBe(200);
    const state = await call<OAuthStateView>('GET', `/v1/projects/${projectId}/channels/email/oauth`);
    expect(state.body).toMatchObject({ available: ['google', 'microsoft'], clients: [{ provider: 'google', clientId: PROJECT_CLIENT.clientId }] });
    expect(state.body.connections[0]).toMatchObject({ client: 'project', state: 'connected' });

    expect((await call('DELETE', `/v1/projects/${projectId}/channels/email/oauth/google`)).status).toBe(204);
    expect((await call('DELETE', `/v1/projects/${projectId}/channels/email/oauth/google`)).status).toBe(404);
  });

  it('refuses a password with oauth2 and a host that is not one of the provider\'s mail hosts', async () => {
    const channel = oauthChannel('google');
    const withPassword = await call<{ message: string[] }>('PUT', '/v1/projects/oauth-bad/channels/email', { ...channel, imap: { ...channel.imap, password: 'x' } });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.message).toEqual([expect.stringMatching(/^imap\.password: /)]);
    const elsewhere = await call<{ message: string[] }>('PUT', '/v1/projects/oauth-bad/channels/email', { ...channel, smtp: { ...channel.smtp, host: 'localhost' } });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toEqual([expect.stringMatching(/^smtp\.host: .*must be one of 127\.0\.0\.1/)]);
  });
});
