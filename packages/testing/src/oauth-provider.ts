import { createHash, createSign, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OAuth2 / OpenID Connect authorization server for tests, in process, HTTP on loopback. It speaks what a mail
 * OAuth flow needs of Google or Microsoft:
 * - `/authorize`: authorization code with PKCE (S256 only); consents at once as the configured account (or
 *   `login_hint`) and redirects back with `code` and `state`, or with `error=access_denied` after denyNextConsent();
 * - `/token`: `authorization_code` (PKCE verified, code single use, redirect_uri compared) and `refresh_token`
 *   (optionally rotating: the old refresh token dies with the new one's issue, as Microsoft does), answering
 *   `invalid_grant` for a revoked or unknown grant; an ID token (RS256) carries the account's `email`;
 * - `/introspect` (RFC 7662, form `token=`), which Dovecot's oauth2 passdb and the XOAUTH2 SMTP server ask;
 * - `/revoke` (RFC 7009), and revokeGrant() for tests: every token of the grant stops working at once.
 */
export interface OAuthTestProvider {
  /** http://127.0.0.1:<port>; also the issuer. */
  url: string;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  introspectionEndpoint: string;
  revocationEndpoint: string;
  /** Lifetime of access tokens issued from now on (seconds, `expires_in`). */
  accessTokenLifetimeSeconds: number;
  /** The next /authorize answers error=access_denied instead of a code. */
  denyNextConsent(): void;
  /** Revokes every grant of the account: its refresh tokens answer invalid_grant, its access tokens turn inactive. */
  revokeGrants(account: string): void;
  /**
   * A grant as if `account` had consented to `clientId` (the first client by default), without the browser: for tests
   * of services that only use the tokens channel-config hands them.
   */
  issueTokens(account: string, clientId?: string): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** What /introspect answers for a token. */
  introspect(token: string): Introspection;
  /** Every /token request, in order: its grant type and whether it got tokens (for "was it refreshed / rotated"). */
  tokenRequests: Array<{ grantType: string; ok: boolean; error?: string; refreshToken?: string }>;
  /** The refresh tokens still valid, newest last. */
  liveRefreshTokens(): string[];
  stop(): Promise<void>;
}

export interface OAuthTestClient {
  clientId: string;
  clientSecret: string;
}

export interface OAuthProviderOptions {
  clients: OAuthTestClient[];
  /** The account that consents at /authorize when the request carries no login_hint. */
  account: string;
  /** Default 3600. */
  accessTokenLifetimeSeconds?: number;
  /** Issue a new refresh token with every refresh and retire the old one (Microsoft). Default false (Google). */
  rotateRefreshTokens?: boolean;
}

export interface Introspection {
  active: boolean;
  email?: string;
  username?: string;
  scope?: string;
  client_id?: string;
  exp?: number;
  token_type?: string;
}

interface Grant {
  id: string;
  account: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

interface PendingCode {
  grant: Grant;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

const CODE_LIFETIME_MS = 60_000;

export async function startOAuthProvider(options: OAuthProviderOptions): Promise<OAuthTestProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant>();
  const accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  const tokenRequests: OAuthTestProvider['tokenRequests'] = [];
  let denyNext = false;
  let url = '';

  const provider: OAuthTestProvider = {
    url: '',
    issuer: '',
    authorizationEndpoint: '',
    tokenEndpoint: '',
    introspectionEndpoint: '',
    revocationEndpoint: '',
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    denyNextConsent: () => {
      denyNext = true;
    },
    revokeGrants(account) {
      for (const grant of [...refreshTokens.values(), ...[...accessTokens.values()].map((token) => token.grant)]) {
        if (grant.account === account.toLowerCase()) grant.revoked = true;
      }
    },
    issueTokens(account, clientId) {
      const grant: Grant = { id: token('grant'), account: account.toLowerCase(), clientId: clientId ?? options.clients[0].clientId, scope: 'openid email', revoked: false };
      const body = issueTokens(grant, true);
      return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string, expiresAt: new Date(Date.now() + (body.expires_in as number) * 1000) };
    },
    introspect(token) {
      const found = accessTokens.get(token);
      if (!found || found.grant.revoked || found.expiresAt <= Date.now()) return { active: false };
      const { account, scope, clientId } = found.grant;
      return { active: true, email: account, username: account, scope, client_id: clientId, exp: Math.floor(found.expiresAt / 1000), token_type: 'Bearer' };
    },
    tokenRequests,
    liveRefreshTokens: () => [...refreshTokens.entries()].filter(([, grant]) => !grant.revoked).map(([token]) => token),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };

  const clientOf = (clientId: string | undefined): OAuthTestClient | undefined => options.clients.find((client) => client.clientId === clientId);

  function authorize(query: URLSearchParams, response: ServerResponse): void {
    const client = clientOf(query.get('client_id') ?? undefined);
    const redirectUri = query.get('redirect_uri');
    if (!client || !redirectUri) return json(response, 400, { error: 'invalid_request', error_description: 'unknown client or no redirect_uri' });
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (denyNext) {
      denyNext = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user did not consent.');
      return redirect(response, back);
    }
    const challenge = query.get('code_challenge');
    if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256' || !challenge) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'response_type=code with an S256 code_challenge is required');
      return redirect(response, back);
    }
    const grant: Grant = {
      id: token('grant'),
      account: (query.get('login_hint') || options.account).toLowerCase(),
      clientId: client.clientId,
      scope: query.get('scope') ?? '',
      revoked: false,
    };
    const code = token('code');
    codes.set(code, { grant, redirectUri, challenge, expiresAt: Date.now() + CODE_LIFETIME_MS });
    back.searchParams.set('code', code);
    back.searchParams.set('iss', url);
    redirect(response, back);
  }

  function issueTokens(grant: Grant, withRefreshToken: boolean): Record<string, unknown> {
    const accessToken = token('at');
    const lifetime = provider.accessTokenLifetimeSeconds;
    accessTokens.set(accessToken, { grant, expiresAt: Date.now() + lifetime * 1000 });
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope: grant.scope };
    if (withRefreshToken) {
      const refreshToken = token('rt');
      refreshTokens.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    return body;
  }

  function tokenEndpoint(request: IncomingMessage, form: URLSearchParams, response: ServerResponse): void {
    const grantType = form.get('grant_type') ?? '';
    const refuse = (status: number, error: string, description: string) => {
      tokenRequests.push({ grantType, ok: false, error });
      json(response, status, { error, error_description: description });
    };
    const credentials = clientCredentials(request, form);
    const client = clientOf(credentials.clientId);
    if (!client || !credentials.clientSecret || !same(client.clientSecret, credentials.clientSecret)) {
      return refuse(401, 'invalid_client', 'client authentication failed');
    }
    if (grantType === 'authorization_code') {
      const pending = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!pending || pending.expiresAt < Date.now() || pending.grant.clientId !== client.clientId) {
        return refuse(400, 'invalid_grant', 'unknown, used or expired code');
      }
      if (form.get('redirect_uri') !== pending.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri differs');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) {
        return refuse(400, 'invalid_grant', 'PKCE verification failed');
      }
      const body = issueTokens(pending.grant, true);
      if (pending.grant.scope.split(' ').includes('openid')) body.id_token = idToken(pending.grant);
      tokenRequests.push({ grantType, ok: true, refreshToken: body.refresh_token as string });
      return json(response, 200, body);
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = refreshTokens.get(presented);
      if (!grant || grant.revoked || grant.clientId !== client.clientId) return refuse(400, 'invalid_grant', 'the refresh token is revoked or unknown');
      const rotate = options.rotateRefreshTokens === true;
      if (rotate) refreshTokens.delete(presented);
      const body = issueTokens(grant, rotate);
      tokenRequests.push({ grantType, ok: true, ...(rotate ? { refreshToken: body.refresh_token as string } : {}) });
      return json(response, 200, body);
    }
    refuse(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  function idToken(grant: Grant): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: url,
      sub: createHash('sha256').update(grant.account).digest('hex').slice(0, 21),
      aud: grant.clientId,
      iat: now,
      exp: now + 3600,
      email: grant.account,
      email_verified: true,
    };
    return signJwt(privateKey, claims);
  }

  const server: Server = createServer((request, response) => {
    const requestUrl = new URL(request.url ?? '/', url);
    void readForm(request)
      .then((form) => {
        switch (`${request.method} ${requestUrl.pathname}`) {
          case 'GET /authorize':
            return authorize(requestUrl.searchParams, response);
          case 'POST /token':
            return tokenEndpoint(request, form, response);
          case 'POST /introspect':
            return json(response, 200, provider.introspect(form.get('token') ?? ''));
          case 'POST /revoke': {
            const presented = form.get('token') ?? '';
            const grant = refreshTokens.get(presented) ?? accessTokens.get(presented)?.grant;
            if (grant) grant.revoked = true;
            response.writeHead(200).end();
            return;
          }
          default:
            json(response, 404, { error: 'not_found' });
        }
      })
      .catch((error: unknown) => json(response, 500, { error: 'server_error', error_description: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(provider, {
    url,
    issuer: url,
    authorizationEndpoint: `${url}/authorize`,
    tokenEndpoint: `${url}/token`,
    introspectionEndpoint: `${url}/introspect`,
    revocationEndpoint: `${url}/revoke`,
  });
  return provider;
}

function token(prefix: string): string {
  return `${prefix}-${randomBytes(24).toString('base64url')}`;
}

function same(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

/** client_secret_post or client_secret_basic (RFC 6749 2.3.1: both form-encoded before base64). */
function clientCredentials(request: IncomingMessage, form: URLSearchParams): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { clientId: decodeURIComponent(id.replace(/\+/g, ' ')), clientSecret: decodeURIComponent(secret.replace(/\+/g, ' ')) };
  }
  return { clientId: form.get('client_id') ?? undefined, clientSecret: form.get('client_secret') ?? undefined };
}

function signJwt(key: KeyObject, claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function redirect(response: ServerResponse, location: URL): void {
  response.writeHead(302, { location: location.href }).end();
}
