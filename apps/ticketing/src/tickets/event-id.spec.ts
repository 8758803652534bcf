import { isUUID } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './event-id.js';

describe('timeOrderedId', () => {
  it('is a version 7 UUID', () => {
    const id = timeOrderedId();
    expect(isUUID(id, '7')).toBe(true);
  });

  it('sorts in the order the ids were made, also many within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => timeOrderedId(1_750_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps sorting forward when the clock steps back', () => {
    const later = timeOrderedId(1_800_000_000_000);
    const afterStepBack = timeOrderedId(1_700_000_000_000);
    expect(afterStepBack > later).toBe(true);
  });

  it('carries the time in its first 48 bits', () => {
    const id = timeOrderedId(1_900_000_000_000);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(1_900_000_000_000);
  });
});
