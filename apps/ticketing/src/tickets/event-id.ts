import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562) that sorts after every id this process made before: 48-bit milliseconds, then a 12-bit counter
 * within the millisecond, then random bits.
 *
 * Why: the outbox relay publishes rows by (created_at, id), and created_at is the transaction's start time, equal for
 * all events of one transaction. Random v4 ids would publish `ticket.message.created` and `ticket.updated` of one
 * change in random order; these ids keep them in the order they were added.
 */
export function timeOrderedId(now: number = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next one rather than wrap.
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
