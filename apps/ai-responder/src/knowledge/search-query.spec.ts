import { describe, expect, it } from 'vitest';
import { distinctLexemes, MAX_QUERY_LEXEMES, orQuery, quoteLexeme, searchConfigOf } from './search-query.js';

/**
 * Reads a tsquery text the way PostgreSQL's tsquery input does for quoted operands joined by `|`: the operands back,
 * or null when anything outside quotes is not `|` (which would be syntax the lexemes smuggled in).
 */
function operandsOf(query: string): string[] | null {
  const operands: string[] = [];
  let index = 0;
  const skipSpaces = () => {
    while (query[index] === ' ') index++;
  };
  for (;;) {
    skipSpaces();
    if (query[index] !== "'") return null;
    index++;
    let operand = '';
    for (;;) {
      if (index >= query.length) return null;
      const char = query[index]!;
      if (char === '\\') {
        operand += query[index + 1] ?? '';
        index += 2;
      } else if (char === "'" && query[index + 1] === "'") {
        operand += "'";
        index += 2;
      } else if (char === "'") {
        index++;
        break;
      } else {
        operand += char;
        index++;
      }
    }
    operands.push(operand);
    skipSpaces();
    if (index >= query.length) return operands;
    if (query[index] !== '|') return null;
    index++;
  }
}

describe('orQuery', () => {
  it('ORs the lexemes, each quoted', () => {
    expect(orQuery(['return', 'item', 'refund'])).toBe("'return' | 'item' | 'refund'");
    expect(orQuery([])).toBeNull();
    expect(orQuery(['', ''])).toBeNull();
  });

  it('keeps hostile lexemes as data: no quote, backslash or operator in one becomes query syntax', () => {
    const hostile = ["'):*|&!", "it's", 'back\\slash', "\\'", "''", ':*', '!', '&', '|', '(', ')', '<->', 'a:A', "x' | 'y", '\\'];
    const query = orQuery(hostile)!;
    expect(operandsOf(query)).toEqual(hostile);
    expect(quoteLexeme("'):*|&!")).toBe("'''):*|&!'");
    expect(quoteLexeme('a\\b')).toBe("'a\\\\b'");
  });

  it('takes each lexeme once and at most MAX_QUERY_LEXEMES of them, the first ones', () => {
    const many = Array.from({ length: 200 }, (_, n) => `word${n % 150}`);
    const lexemes = distinctLexemes(many);
    expect(lexemes).toHaveLength(MAX_QUERY_LEXEMES);
    expect(lexemes[0]).toBe('word0');
    expect(lexemes[MAX_QUERY_LEXEMES - 1]).toBe(`word${MAX_QUERY_LEXEMES - 1}`);
    expect(operandsOf(orQuery(many)!)).toEqual(lexemes);
  });
});

describe('searchConfigOf', () => {
  const server = new Set(['simple', 'english', 'german', 'french', 'norwegian']);

  it("maps ISO 639-1 to the server's configuration, else 'simple'", () => {
    expect(searchConfigOf('en', server)).toBe('english');
    expect(searchConfigOf('de', server)).toBe('german');
    expect(searchConfigOf('no', server)).toBe('norwegian');
    expect(searchConfigOf('nb', server)).toBe('norwegian');
    // A configuration the server lacks, and a language PostgreSQL has none for.
    expect(searchConfigOf('es', server)).toBe('simple');
    expect(searchConfigOf('ja', server)).toBe('simple');
  });
});
