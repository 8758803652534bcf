import { describe, expect, it } from 'vitest';
import { holdsAnyOf, weightedCoverage } from './lexeme-weights.js';

const question = { weights: new Map([['send', 1], ['back', 1], ['rug', 2]]) };

describe('weightedCoverage', () => {
  it("is the share of the question's weight the passage holds", () => {
    expect(weightedCoverage(question, ['send', 'back', 'rug'])).toBe(1);
    expect(weightedCoverage(question, ['rug'])).toBe(0.5);
    expect(weightedCoverage(question, [])).toBe(0);
    expect(weightedCoverage({ weights: new Map() }, ['rug'])).toBe(0);
  });

  it('counts a group of words that mean the same as one, held by a passage that holds any of them', () => {
    const delivery = { weights: new Map([['deliveri', 1], ['ship', 3], ['austria', 2]]) };
    const groups = [new Set(['ship', 'deliveri', 'dispatch'])];
    // "delivery" and "shipping" are one concept, weighed as the more telling of the two: 3 of 5.
    expect(weightedCoverage(delivery, ['dispatch'], groups)).toBeCloseTo(0.6);
    expect(weightedCoverage(delivery, ['dispatch', 'austria'], groups)).toBe(1);
    expect(weightedCoverage(delivery, ['dispatch'])).toBe(0);
  });

  it('holds any of some words, or a word of their group', () => {
    const groups = [new Set(['ship', 'deliveri'])];
    expect(holdsAnyOf(['instal'], ['fjord', 'pendant'])).toBe(false);
    expect(holdsAnyOf(['ceil', 'fan'], ['ceil', 'spotlight'])).toBe(true);
    expect(holdsAnyOf(['deliveri'], ['ship'], groups)).toBe(true);
    expect(holdsAnyOf(['deliveri'], ['ship'])).toBe(false);
  });
});
