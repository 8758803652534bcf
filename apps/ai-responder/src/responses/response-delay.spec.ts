import { describe, expect, it } from 'vitest';
import { pickResponseDelaySeconds } from './response-delay.js';

describe('pickResponseDelaySeconds', () => {
  it('reaches both ends of the range and nothing outside it', () => {
    expect(pickResponseDelaySeconds({ minSeconds: 30, maxSeconds: 120 }, () => 0)).toBe(30);
    expect(pickResponseDelaySeconds({ minSeconds: 30, maxSeconds: 120 }, () => 0.999_999_9)).toBe(120);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(pickResponseDelaySeconds({ minSeconds: 1, maxSeconds: 3 }));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('returns whole seconds', () => {
    for (let i = 0; i < 100; i++) {
      expect(Number.isInteger(pickResponseDelaySeconds({ minSeconds: 0, maxSeconds: 172_800 }))).toBe(true);
    }
  });

  it('returns exactly the value when min equals max', () => {
    expect(pickResponseDelaySeconds({ minSeconds: 45, maxSeconds: 45 }, () => 0.7)).toBe(45);
  });

  it('answers at once when both are 0', () => {
    expect(pickResponseDelaySeconds({ minSeconds: 0, maxSeconds: 0 }, () => 0.99)).toBe(0);
  });

  it('keeps a damaged setting within 0..172800 and max not below min', () => {
    expect(pickResponseDelaySeconds({ minSeconds: -5, maxSeconds: -1 }, () => 0.5)).toBe(0);
    expect(pickResponseDelaySeconds({ minSeconds: 10, maxSeconds: 2 }, () => 0.5)).toBe(10);
    expect(pickResponseDelaySeconds({ minSeconds: 1e9, maxSeconds: 1e9 }, () => 0.5)).toBe(172_800);
  });
});
