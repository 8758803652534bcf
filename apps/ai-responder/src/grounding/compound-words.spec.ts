import { describe, expect, it } from 'vitest';
import { compoundsOf, inCompound } from './compound-words.js';

const heading = new Map([['ruckgabefrist', 1], ['versandkost', 1], ['frist', 1]]);

describe('compound words', () => {
  it('finds a word at the start or the end of a longer one', () => {
    expect(inCompound('ruckgab', heading)).toBe(true);
    expect(compoundsOf('versand', heading)).toEqual(['versandkost']);
  });

  it('does not count short words, or the word itself', () => {
    expect(inCompound('frist', new Map([['frist', 1]]))).toBe(false);
    expect(inCompound('kost', heading)).toBe(false);
  });
});
