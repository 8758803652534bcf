import type { MailDirection } from './channel-pause.js';
import type { SealedSecret } from './channel-settings.js';

/** The identity platforms a mailbox can be connected with through OAuth2 (XOAUTH2 for IMAP and SMTP). */
export const OAUTH_PROVIDERS = ['google', 'microsoft'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

export const OAUTH_PROVIDER_NAMES: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

/**
 * How one direction (IMAP or SMTP) logs in: with the stored password (the default, and what a snapshot without
 * `auth` means), or with an access token minted by channel-config from the project's OAuth grant of `provider`.
 */
export type MailAuth = { type: 'password' } | { type: 'oauth2'; provider: OAuthProvider };
export const MAIL_AUTH_TYPES = ['password', 'oauth2'] as const;

export const PASSWORD_AUTH: Readonly<MailAuth> = Object.freeze({ type: 'password' });

/** The auth of a section; absent (a snapshot written before OAuth existed) or unknown means password. */
export function mailAuthOf(section: { auth?: MailAuth | null } | null | undefined): MailAuth {
  const auth = section?.auth;
  if (auth?.type === 'oauth2' && (OAUTH_PROVIDERS as readonly string[]).includes(auth.provider)) {
    return { type: 'oauth2', provider: auth.provider };
  }
  return { type: 'password' };
}

/** Key of a direction's access token in the `oauth-access-tokens` bucket. */
export function oauthAccessTokenKey(projectId: string, direction: MailDirection): string {
  return `${projectId}.${direction}`;
}

/**
 * What channel-config (the only holder of refresh tokens) shares with mail-ingest and mail-outbound for one direction
 * that logs in with OAuth2, in the `oauth-access-tokens` bucket:
 * - a current access token, sealed for that direction's host, port, encryption and username (a bucket rewritten to
 *   point elsewhere makes it unusable, as for passwords), and when it expires;
 * - or that the grant was revoked (the refresh answered invalid_grant): the direction cannot log in until an admin
 *   connects the mailbox again. `reason` names the provider and what to do; never a token.
 */
export type OAuthAccessTokenEntry =
  | {
      projectId: string;
      direction: MailDirection;
      provider: OAuthProvider;
      /** The account the grant belongs to (the mailbox's address), '' when the provider did not say. */
      account: string;
      accessToken: SealedSecret;
      expiresAt: string;
      /** Increases with every token of the grant, so a reader can tell a stale copy. */
      version: number;
    }
  | {
      projectId: string;
      direction: MailDirection;
      provider: OAuthProvider;
      revoked: string;
      revokedAt: string;
      version: number;
    };

/** The OAuth connection of a project with one provider, as the channel view shows it: never a token. */
export interface OAuthConnectionView {
  provider: OAuthProvider;
  /** The account that consented, from the ID token; '' when the provider did not say. */
  account: string;
  connectedAt: string;
  /** `connected`: tokens are refreshed; `revoked`: the provider refused the grant, connect again. */
  state: 'connected' | 'revoked';
  /** Whether the last refresh (or the connection) produced a working access token. */
  accessWorks: boolean;
  accessTokenExpiresAt: string | null;
  lastRefreshAt: string | null;
  /** Why the last refresh failed, or why the grant was revoked; null when the last one worked. */
  lastError: string | null;
  /** Which OAuth client the grant belongs to: the deployment's (environment) or the project's own. */
  client: 'deployment' | 'project';
}

/** GET /v1/projects/{p}/channels/email/oauth. */
export interface OAuthStateView {
  projectId: string;
  /** Providers this deployment (or the project's own client) can connect with now. */
  available: OAuthProvider[];
  connections: OAuthConnectionView[];
  /** The project's own OAuth clients (ids only, never the secret). */
  clients: Array<{ provider: OAuthProvider; clientId: string; updatedAt: string }>;
}
