import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DueResponsesProcessor } from './due-responses.processor.js';

/** Only the timing of the wake-up is under test here: the claim itself is spied on, its dependencies never used. */
function processor(): { processor: DueResponsesProcessor; claims: () => number } {
  const instance = new (DueResponsesProcessor as unknown as new (...deps: unknown[]) => DueResponsesProcessor)();
  const claim = vi.spyOn(instance, 'claimAndProcess').mockResolvedValue(undefined);
  return { processor: instance, claims: () => claim.mock.calls.length };
}

describe('DueResponsesProcessor.wakeIn', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('claims once the response it was told about is due, not at the next tick', () => {
    const { processor: due, claims } = processor();
    due.wakeIn(2);
    vi.advanceTimersByTime(1_990);
    expect(claims()).toBe(0);
    vi.advanceTimersByTime(40);
    expect(claims()).toBe(1);
  });

  it('claims when each response falls due, whatever order they were scheduled in', () => {
    const { processor: due, claims } = processor();
    due.wakeIn(5);
    due.wakeIn(0);
    due.wakeIn(3);
    vi.advanceTimersByTime(100);
    expect(claims()).toBe(1);
    vi.advanceTimersByTime(2_950);
    expect(claims()).toBe(2);
    vi.advanceTimersByTime(2_000);
    expect(claims()).toBe(3);
    vi.advanceTimersByTime(10_000);
    expect(claims()).toBe(3);
  });

  it('wakes no more once shutting down', async () => {
    const { processor: due, claims } = processor();
    await due.beforeApplicationShutdown();
    due.wakeIn(0);
    vi.advanceTimersByTime(1_000);
    expect(claims()).toBe(0);
  });
});
