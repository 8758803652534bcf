import { isUUID } from 'class-validator';

/** Where a page of the newest-first listing ended: the last ticket's (createdAt, id). */
export interface TicketCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of `[createdAt ISO, id]`. */
export function encodeTicketCursor(cursor: TicketCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id]), 'utf8').toString('base64url');
}

/** Null for anything this service did not hand out (bad encoding, shape, date or id). */
export function decodeTicketCursor(value: string): TicketCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return null;
  const [createdAt, id] = decoded as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !isUUID(id)) return null;
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return null;
  return { createdAt: date, id };
}
