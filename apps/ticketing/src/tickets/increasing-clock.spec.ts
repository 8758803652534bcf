import { describe, expect, it } from 'vitest';
import { IncreasingClock } from './increasing-clock.js';

describe('IncreasingClock', () => {
  it('tells the time while it moves on, one millisecond more than before while it stands still', () => {
    let now = 1_000;
    const clock = new IncreasingClock(() => now);
    expect(clock.now().getTime()).toBe(1_000);
    expect(clock.now().getTime()).toBe(1_001);
    expect(clock.now().getTime()).toBe(1_002);
    now = 5_000;
    expect(clock.now().getTime()).toBe(5_000);
  });

  it('never goes back when the system clock does', () => {
    let now = 2_000;
    const clock = new IncreasingClock(() => now);
    clock.now();
    now = 1_500;
    expect(clock.now().getTime()).toBe(2_001);
  });
});
