import { describe, expect, it } from 'vitest';
import { BUSY_POLL_MS, IDLE_POLL_MS, nextPollInterval, pollDelay } from './relay-poll-schedule.js';

const idle = { claimed: 0, paused: false };

describe('nextPollInterval', () => {
  it('doubles while nothing is found, up to IDLE_POLL_MS', () => {
    const intervals: number[] = [];
    let interval = BUSY_POLL_MS;
    for (let i = 0; i < 6; i++) intervals.push((interval = nextPollInterval(interval, idle)));
    expect(intervals).toEqual([1_000, 2_000, 4_000, IDLE_POLL_MS, IDLE_POLL_MS, IDLE_POLL_MS]);
  });

  it('goes back to BUSY_POLL_MS as soon as a drain finds rows', () => {
    expect(nextPollInterval(IDLE_POLL_MS, { claimed: 1, paused: false })).toBe(BUSY_POLL_MS);
  });

  it('polls at BUSY_POLL_MS while NATS is unavailable, even with nothing claimed', () => {
    expect(nextPollInterval(4_000, { claimed: 0, paused: true })).toBe(BUSY_POLL_MS);
  });
});

describe('pollDelay', () => {
  it('is the interval when no retry is waiting', () => {
    expect(pollDelay(4_000, 10_000, undefined)).toBe(4_000);
  });

  it('comes for a retry that is due before the interval ends', () => {
    expect(pollDelay(4_000, 10_000, 11_000)).toBe(1_000);
  });

  it('keeps the interval for a retry due after it', () => {
    expect(pollDelay(4_000, 10_000, 30_000)).toBe(4_000);
  });

  it('polls at once for a retry already due', () => {
    expect(pollDelay(4_000, 10_000, 9_000)).toBe(0);
  });
});
