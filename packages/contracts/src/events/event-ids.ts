import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * The one place envelope ids are made. An envelope id is also the JetStream Nats-Msg-Id and the key of every
 * consumer's inbox, so an event that may be published again (a retry, a crash, a second replica) must get the same
 * id every time: such ids are derived from what identifies the event, never drawn at random.
 *
 * The derived ids already published must never change (a re-import after an upgrade would otherwise be a new event),
 * so the three derivations in use are kept bit for bit: `derived` for new code, `namedSha256` and `namedV5` for the
 * events that were first published with them.
 */
export const eventIds = {
  /** An event that happens once and is never re-made: a random UUID (version 4). */
  random(): string {
    return randomUUID();
  },

  /**
   * A UUID version 7 that sorts after every id this process made before (48-bit milliseconds, a 12-bit counter within
   * the millisecond, random bits), also when the clock steps back. For events of one transaction that must keep the
   * order they were added in: the outbox relay publishes by (created_at, id), and created_at is equal within one.
   */
  timeOrdered(now: number = Date.now()): string {
    return timeOrderedIds.next(now);
  },

  /**
   * The id of the event identified by `parts` (its type first, then its keys): SHA-256 of the parts joined by NUL,
   * as a UUID version 8 (RFC 9562, custom) with the RFC variant. NUL cannot occur in the parts, so ("p1", "17") is not
   * ("p11", "7"). mail.received and channel.email.paused ids; use it for new events.
   */
  derived(...parts: (string | number)[]): string {
    return uuidFromDigest(createHash('sha256').update(parts.join('\u0000')).digest(), 8);
  },

  /**
   * SHA-256 of `name` in the layout of a version 5 UUID (no namespace). The ids of reply.proposed and reply.handoff,
   * kept as they were first published.
   */
  namedSha256(name: string): string {
    return uuidFromDigest(createHash('sha256').update(name).digest(), 5);
  },

  /**
   * A name-based UUID version 5 (RFC 9562: SHA-1 of namespace and name). The ids of mail.sent and mail.failed, kept
   * as they were first published.
   */
  namedV5(namespace: string, name: string): string {
    const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    return uuidFromDigest(createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest(), 5);
  },
};

/** The first 16 bytes of a digest with the version nibble and the RFC variant bits set, formatted as a UUID. */
function uuidFromDigest(digest: Buffer, version: 5 | 8): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The state of `timeOrdered`: the last millisecond used and the counter within it, per process. */
const timeOrderedIds = {
  lastMs: 0,
  counter: 0,
  next(now: number): string {
    let ms = Math.max(now, this.lastMs);
    if (ms === this.lastMs) {
      this.counter += 1;
      if (this.counter > 0xfff) {
        // 4096 ids in one millisecond: borrow the next one rather than wrap.
        ms += 1;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return formatUuid(bytes);
  },
};
