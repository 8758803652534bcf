/**
 * The OAuth2 / OpenID Connect exchanges, through openid-client (v6, on oauth4webapi): the consent URL with PKCE
 * (S256) and state, the code exchange (state, PKCE, the ID token's issuer, audience and expiry checked), refreshing
 * and revocation. Server metadata is static: openid-client's `discovery` is handed a fetch that answers the
 * well-known document from ProviderEndpoints itself, so nothing is discovered over the network, and openid-client
 * still applies what it does after a discovery (Microsoft's multi-tenant `{tenantid}` issuer). Every other request
 * goes out as usual.
 */
import * as client from 'openid-client';
import type { OAuthProvider } from '@ensoras/contracts';
import { AUTHORIZATION_PARAMETERS, OAUTH_SCOPES, type ProviderEndpoints } from './oauth-providers.js';

/** Seconds a token endpoint may take to answer. */
const REQUEST_TIMEOUT_SECONDS = 15;

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenSet {
  accessToken: string;
  /** Absent when the provider keeps the old one (Google on refresh); Microsoft rotates it. */
  refreshToken?: string;
  expiresAt: Date;
  /** The account's address from the ID token (`email`, else Microsoft's `preferred_username`), '' when none. */
  account?: string;
}

/** A provider's answer that the grant is gone for good: revoked, expired, the password changed (RFC 6749 invalid_grant). */
export function isInvalidGrant(error: unknown): boolean {
  return error instanceof client.ResponseBodyError && error.error === 'invalid_grant';
}

/** A short, secret-free description of a failed exchange: the OAuth error code and description, or the cause. */
export function describeOAuthError(error: unknown): string {
  if (error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`.slice(0, 300);
  }
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`.slice(0, 300);
}

export async function serverConfiguration(endpoints: ProviderEndpoints, credentials: OAuthClientCredentials, allowHttp: boolean): Promise<client.Configuration> {
  const metadata = {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    ...(endpoints.revocationUrl ? { revocation_endpoint: endpoints.revocationUrl } : {}),
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  const server = new URL(endpoints.server);
  const wellKnown = new URL(`${server.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`, server.origin).href;
  const staticDiscovery: client.CustomFetch = (url, options) =>
    url === wellKnown
      ? Promise.resolve(new Response(JSON.stringify(metadata), { status: 200, headers: { 'content-type': 'application/json' } }))
      : fetch(url, options as RequestInit);
  return client.discovery(server, credentials.clientId, { client_secret: credentials.clientSecret }, client.ClientSecretPost(credentials.clientSecret), {
    [client.customFetch]: staticDiscovery,
    timeout: REQUEST_TIMEOUT_SECONDS,
    ...(allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
  });
}

/** A fresh PKCE verifier, its S256 challenge and a random state (both from openid-client). */
export async function newAuthorizationSecrets(): Promise<{ codeVerifier: string; codeChallenge: string; state: string }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  return { codeVerifier, codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier), state: client.randomState() };
}

export function authorizationUrl(
  configuration: client.Configuration,
  provider: OAuthProvider,
  request: { redirectUri: string; state: string; codeChallenge: string },
): string {
  return client.buildAuthorizationUrl(configuration, {
    redirect_uri: request.redirectUri,
    scope: OAUTH_SCOPES[provider],
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    ...AUTHORIZATION_PARAMETERS[provider],
  }).href;
}

/** The callback's code for tokens. `callbackUrl` is the public redirect URL with the query the provider sent. */
export async function exchangeCode(
  configuration: client.Configuration,
  callbackUrl: URL,
  checks: { state: string; codeVerifier: string },
): Promise<TokenSet> {
  const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
    expectedState: checks.state,
    pkceCodeVerifier: checks.codeVerifier,
  });
  return tokenSetOf(tokens, true);
}

export async function refreshGrant(configuration: client.Configuration, refreshToken: string): Promise<TokenSet> {
  return tokenSetOf(await client.refreshTokenGrant(configuration, refreshToken), false);
}

/** Best effort: tells the provider the grant is no longer wanted (Google); providers without the endpoint are skipped. */
export async function revokeAtProvider(configuration: client.Configuration, refreshToken: string): Promise<void> {
  if (!configuration.serverMetadata().revocation_endpoint) return;
  await client.tokenRevocation(configuration, refreshToken, { token_type_hint: 'refresh_token' });
}

function tokenSetOf(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, readAccount: boolean): TokenSet {
  const claims = readAccount ? tokens.claims() : undefined;
  const account = typeof claims?.email === 'string' ? claims.email : typeof claims?.preferred_username === 'string' ? claims.preferred_username : '';
  // A provider that does not say how long the token lives: assume the hour both providers give.
  const expiresIn = tokens.expiresIn() ?? 3600;
  return {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    expiresAt: new Date(Date.now() + expiresIn * 1000),
    ...(readAccount ? { account: account.toLowerCase() } : {}),
  };
}
