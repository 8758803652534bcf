/**
 * When channel-config refreshes an access token, and how long a failed refresh or a consent may wait. Pure, so the
 * decisions are unit-tested without a provider.
 */
import { createHash } from 'node:crypto';

/** A consent must come back within this long (POST …/oauth/start to the callback). */
export const AUTHORIZATION_LIFETIME_MS = 10 * 60_000;
/** A replica that claimed a refresh holds it this long: longer than a token request may take. */
export const REFRESH_CLAIM_MS = 60_000;
/** Back-off between failed refreshes (not invalid_grant: that ends the grant): 10 s, 30 s, 1, 2, 5 min, then 5 min. */
const RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 120_000, 300_000];

export interface RefreshState {
  revokedAt: Date | null;
  accessTokenExpiresAt: Date | null;
  nextAttemptAt: Date | null;
  refreshClaimedUntil: Date | null;
}

/**
 * Whether to refresh now: a live grant whose access token is missing or has less than `aheadMs` left, not waiting
 * out a back-off and not being refreshed by another replica.
 */
export function refreshDue(grant: RefreshState, now: Date, aheadMs: number): boolean {
  if (grant.revokedAt) return false;
  if (grant.refreshClaimedUntil && grant.refreshClaimedUntil > now) return false;
  if (grant.nextAttemptAt && grant.nextAttemptAt > now) return false;
  return !grant.accessTokenExpiresAt || grant.accessTokenExpiresAt.getTime() - now.getTime() < aheadMs;
}

/**
 * When to try again after `failures` failed refreshes in a row. Never later than shortly before the current token
 * runs out, so one bad minute at the provider does not leave the mailbox without a token for five.
 */
export function nextAttemptAfter(failures: number, now: Date, accessTokenExpiresAt: Date | null): Date {
  const delay = RETRY_DELAYS_MS[Math.min(Math.max(failures, 1), RETRY_DELAYS_MS.length) - 1];
  const next = now.getTime() + delay;
  if (accessTokenExpiresAt && accessTokenExpiresAt.getTime() > now.getTime() + RETRY_DELAYS_MS[0]) {
    return new Date(Math.min(next, accessTokenExpiresAt.getTime() - RETRY_DELAYS_MS[0]));
  }
  return new Date(next);
}

/** What is stored of a state: its hash (the state itself travels only in URLs). */
export function stateHashOf(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('base64url');
}
