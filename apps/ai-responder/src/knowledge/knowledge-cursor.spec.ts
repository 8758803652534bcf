import { describe, expect, it } from 'vitest';
import { decodeArticleCursor, encodeArticleCursor } from './knowledge-cursor.js';

describe('article cursor', () => {
  it('gives back the article id it was made from', () => {
    expect(decodeArticleCursor(encodeArticleCursor('returns-policy.v2'))).toBe('returns-policy.v2');
  });

  it('refuses what this service did not hand out', () => {
    expect(decodeArticleCursor('not a cursor')).toBeNull();
    expect(decodeArticleCursor(Buffer.from('["a","../etc"]').toString('base64url'))).toBeNull();
    expect(decodeArticleCursor(Buffer.from('["t","returns"]').toString('base64url'))).toBeNull();
    expect(decodeArticleCursor(Buffer.from('{').toString('base64url'))).toBeNull();
  });
});
