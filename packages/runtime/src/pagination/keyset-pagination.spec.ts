import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, newestFirstCursor, pageOf } from './keyset-pagination.js';

const key = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: '3f0c9a52-7d5e-4c53-9a6f-1b2c3d4e5f60' };
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it('give back the keys they were made from, URL-safe without escaping', () => {
    const encoded = encodeCursor(['a', 'returns-policy.v2']);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(encoded)).toBe(encoded);
    expect(decodeCursor(encoded, 2, 400)).toEqual(['a', 'returns-policy.v2']);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$def'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', raw({ a: 'b' })],
    ['another number of keys', raw(['a'])],
    ['a key that is no string', raw(['a', 1])],
    ['too long', 'a'.repeat(401)],
  ])('refuse %s', (_what, value) => {
    expect(decodeCursor(value, 2, 400)).toBeNull();
  });
});

describe('newestFirstCursor', () => {
  it('round-trips the exact timestamp and id', () => {
    expect(newestFirstCursor.decode(newestFirstCursor.encode(key))).toEqual(key);
  });

  it('reads the cursors handed out before it existed: base64url of [createdAt ISO, id]', () => {
    expect(newestFirstCursor.decode(raw([key.createdAt.toISOString(), key.id]))).toEqual(key);
  });

  it.each([
    ['an object', raw({ createdAt: key.createdAt, id: key.id })],
    ['a bad id', raw([key.createdAt.toISOString(), 'x'])],
    ['a bad date', raw(['yesterday', key.id])],
    ['a non-canonical date', raw(['2025-03-04', key.id])],
    ['too long', 'a'.repeat(500)],
  ])('rejects %s', (_what, value) => {
    expect(newestFirstCursor.decode(value)).toBeNull();
  });
});

describe('pageOf', () => {
  const cursorOf = (n: number) => `after-${n}`;

  it('has a next page only when a row beyond the limit was read, and points after the last item', () => {
    expect(pageOf([1, 2, 3, 4], 3, (n) => n * 10, cursorOf)).toEqual({ items: [10, 20, 30], nextCursor: 'after-3' });
    expect(pageOf([1, 2, 3], 3, (n) => n * 10, cursorOf)).toEqual({ items: [10, 20, 30], nextCursor: null });
    expect(pageOf([], 3, (n: number) => n, cursorOf)).toEqual({ items: [], nextCursor: null });
  });
});
