import { describe, expect, it } from 'vitest';
import { nextAttemptAfter, refreshDue, stateHashOf, type RefreshState } from './refresh-timing.js';

const now = new Date('2026-12-01T12:00:00Z');
const minutes = (count: number) => new Date(now.getTime() + count * 60_000);
const live: RefreshState = { revokedAt: null, accessTokenExpiresAt: minutes(30), nextAttemptAt: null, refreshClaimedUntil: null };
const AHEAD = 5 * 60_000;

describe('refreshDue', () => {
  it('refreshes a token with less than five minutes left, not one with more', () => {
    expect(refreshDue({ ...live, accessTokenExpiresAt: minutes(4.9) }, now, AHEAD)).toBe(true);
    expect(refreshDue({ ...live, accessTokenExpiresAt: minutes(-10) }, now, AHEAD)).toBe(true);
    expect(refreshDue({ ...live, accessTokenExpiresAt: minutes(5.1) }, now, AHEAD)).toBe(false);
  });

  it('refreshes a grant that has no access token yet', () => {
    expect(refreshDue({ ...live, accessTokenExpiresAt: null }, now, AHEAD)).toBe(true);
  });

  it('leaves alone a revoked grant, one waiting out its back-off, and one another replica is refreshing', () => {
    const expiring = { ...live, accessTokenExpiresAt: minutes(1) };
    expect(refreshDue({ ...expiring, revokedAt: minutes(-1) }, now, AHEAD)).toBe(false);
    expect(refreshDue({ ...expiring, nextAttemptAt: minutes(0.5) }, now, AHEAD)).toBe(false);
    expect(refreshDue({ ...expiring, nextAttemptAt: minutes(-0.5) }, now, AHEAD)).toBe(true);
    expect(refreshDue({ ...expiring, refreshClaimedUntil: minutes(0.5) }, now, AHEAD)).toBe(false);
    expect(refreshDue({ ...expiring, refreshClaimedUntil: minutes(-0.5) }, now, AHEAD)).toBe(true);
  });
});

describe('nextAttemptAfter', () => {
  it('backs off 10 s, 30 s, 1, 2 and 5 minutes, then stays at 5 minutes', () => {
    const delays = [1, 2, 3, 4, 5, 9].map((failures) => (nextAttemptAfter(failures, now, null).getTime() - now.getTime()) / 1000);
    expect(delays).toEqual([10, 30, 60, 120, 300, 300]);
  });

  it('tries again before the current token runs out rather than after', () => {
    expect(nextAttemptAfter(5, now, minutes(2))).toEqual(new Date(minutes(2).getTime() - 10_000));
    // Already (nearly) expired: the plain back-off.
    expect(nextAttemptAfter(2, now, minutes(0.1))).toEqual(new Date(now.getTime() + 30_000));
  });
});

describe('stateHashOf', () => {
  it('is stable, differs per state and does not contain the state', () => {
    expect(stateHashOf('abc')).toBe(stateHashOf('abc'));
    expect(stateHashOf('abc')).not.toBe(stateHashOf('abd'));
    expect(stateHashOf('a-long-random-state')).not.toContain('a-long-random-state');
  });
});
