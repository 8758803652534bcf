import { describe, expect, it } from 'vitest';
import { rootAndLast } from './reference-chain.js';

const ids = Array.from({ length: 30 }, (_, i) => `<${i}@x>`);

describe('rootAndLast', () => {
  it('keeps the root and the last n ids of a long chain', () => {
    expect(rootAndLast(ids, 5)).toEqual(['<0@x>', '<25@x>', '<26@x>', '<27@x>', '<28@x>', '<29@x>']);
  });

  it('leaves a chain of root + n (or shorter) as it is', () => {
    expect(rootAndLast(ids.slice(0, 6), 5)).toEqual(ids.slice(0, 6));
    expect(rootAndLast([], 5)).toEqual([]);
  });
});
