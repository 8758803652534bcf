/**
 * The access token a direction (IMAP or SMTP) logs in with, from what channel-config shares in the
 * `oauth-access-tokens` bucket. mail-ingest and mail-outbound decide the same way; each opens the sealed token with its
 * own SecretBox (the `open` callback), so this package needs no key.
 */
import { OAUTH_PROVIDER_NAMES, type OAuthAccessTokenEntry, type OAuthProvider, type SealedSecret } from '@ensoras/contracts';
import { AuthenticationRejectedError } from './authentication-failure.js';

/** A token that expires sooner than this is not used for a new login: it could lapse during the handshake. */
export const ACCESS_TOKEN_MIN_REMAINING_MS = 30_000;

/**
 * The project's grant with the provider was revoked (or expired for good): nothing but connecting the mailbox again
 * helps. Counts as an authentication failure (classifyConnectionError: auth_failed), with this message as the reason.
 */
export class OAuthGrantRevokedError extends AuthenticationRejectedError {
  readonly code = 'OAUTH_GRANT_REVOKED';
  constructor(readonly provider: OAuthProvider) {
    super(`The ${OAUTH_PROVIDER_NAMES[provider] ?? provider} grant was revoked: connect the mailbox again.`);
    this.name = 'OAuthGrantRevokedError';
  }
}

/**
 * No usable access token right now: not connected yet, expired and not refreshed yet, or sealed for settings that
 * just changed. Transient: channel-config publishes a fresh one, so the caller retries with its usual back-off.
 */
export class AccessTokenUnavailableError extends Error {
  readonly code = 'OAUTH_TOKEN_UNAVAILABLE';
  constructor(reason: string) {
    super(reason);
    this.name = 'AccessTokenUnavailableError';
  }
}

/**
 * The clear-text access token for a direction that uses `provider`, or the error that says why there is none.
 * `open` opens the sealed token for the direction's current settings and throws when it was sealed for others.
 */
export function accessTokenFrom(
  entry: OAuthAccessTokenEntry | undefined,
  provider: OAuthProvider,
  open: (sealed: SealedSecret) => string,
  now = new Date(),
): string {
  const name = OAUTH_PROVIDER_NAMES[provider] ?? provider;
  if (!entry || entry.provider !== provider) {
    throw new AccessTokenUnavailableError(`no ${name} access token yet: connect the mailbox with ${name} (OAuth), or wait for channel-config to publish one`);
  }
  if ('revoked' in entry) throw new OAuthGrantRevokedError(provider);
  if (Date.parse(entry.expiresAt) - now.getTime() < ACCESS_TOKEN_MIN_REMAINING_MS) {
    throw new AccessTokenUnavailableError(`the ${name} access token expired at ${entry.expiresAt} and no fresh one has arrived yet`);
  }
  try {
    return open(entry.accessToken);
  } catch {
    throw new AccessTokenUnavailableError(
      `the ${name} access token is sealed for other settings or another key (channel-config re-issues it after a change)`,
    );
  }
}
