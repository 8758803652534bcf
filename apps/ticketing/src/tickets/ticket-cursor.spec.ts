import { describe, expect, it } from 'vitest';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';

const cursor = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: '3f0c9a52-7d5e-4c53-9a6f-1b2c3d4e5f60' };

describe('ticket cursor', () => {
  it('round-trips the exact timestamp and id', () => {
    expect(decodeTicketCursor(encodeTicketCursor(cursor))).toEqual(cursor);
  });

  it('is URL-safe without escaping', () => {
    const encoded = encodeTicketCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(encoded)).toBe(encoded);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$def'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', Buffer.from(JSON.stringify({ createdAt: cursor.createdAt, id: cursor.id })).toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), 'x'])).toString('base64url')],
    ['a bad date', Buffer.from(JSON.stringify(['yesterday', cursor.id])).toString('base64url')],
    ['a non-canonical date', Buffer.from(JSON.stringify(['2025-03-04', cursor.id])).toString('base64url')],
    ['too long', 'a'.repeat(500)],
  ])('rejects %s', (_what, value) => {
    expect(decodeTicketCursor(value)).toBeNull();
  });
});
