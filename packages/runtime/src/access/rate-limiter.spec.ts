import { describe, expect, it } from 'vitest';
import { TokenBucketRateLimiter } from './rate-limiter.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucketRateLimiter', () => {
  it('allows the limit at once, then says how many seconds until the next request may go', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter(3, time.now);
    expect([limiter.take('t'), limiter.take('t'), limiter.take('t')]).toEqual([0, 0, 0]);
    // 3 per minute: one comes back every 20 s.
    expect(limiter.take('t')).toBe(20);
    time.advance(5_000);
    expect(limiter.take('t')).toBe(15);
  });

  it('refills continuously: after the wait it told, one request goes, not more', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter(60, time.now);
    for (let i = 0; i < 60; i++) expect(limiter.take('t')).toBe(0);
    const wait = limiter.take('t');
    expect(wait).toBe(1);
    time.advance(wait * 1000);
    expect(limiter.take('t')).toBe(0);
    expect(limiter.take('t')).toBeGreaterThan(0);
  });

  it('never holds more than the limit, however long a token was idle', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter(2, time.now);
    limiter.take('t');
    time.advance(3_600_000);
    expect([limiter.take('t'), limiter.take('t')]).toEqual([0, 0]);
    expect(limiter.take('t')).toBeGreaterThan(0);
  });

  it('counts each token on its own', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter(1, time.now);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(60);
    expect(limiter.take('b')).toBe(0);
  });

  it('forgets full buckets when it holds too many keys, keeping the ones that are spent', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter(1, time.now, 2);
    limiter.take('spent');
    time.advance(60_000);
    limiter.take('other'); // spent too, but 'spent' refilled meanwhile
    time.advance(1_000);
    limiter.take('third'); // over the limit of keys: 'spent' (full again) is forgotten, 'other' is kept
    expect(limiter.take('other')).toBeGreaterThan(0);
    expect(limiter.take('spent')).toBe(0);
  });

  it('refuses a limit below 1', () => {
    expect(() => new TokenBucketRateLimiter(0)).toThrow(/at least 1/);
  });
});
