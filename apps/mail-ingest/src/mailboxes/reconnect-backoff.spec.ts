import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, reconnectDelayMs } from './reconnect-backoff.js';

describe('reconnectDelayMs', () => {
  it('starts at about a second and doubles', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5].map((failures) => reconnectDelayMs(failures, middle))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('never waits longer than a minute, however many failures', () => {
    for (const failures of [7, 8, 50, 10_000]) {
      expect(reconnectDelayMs(failures, () => 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    }
    expect(reconnectDelayMs(100, () => 0.5)).toBe(BACKOFF_MAX_MS);
  });

  it('spreads the delay by up to 20 % either way', () => {
    expect(reconnectDelayMs(3, () => 0)).toBe(3_200);
    expect(reconnectDelayMs(3, () => 0.999_999)).toBe(4_800);
  });
});
