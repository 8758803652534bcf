/**
 * At most `limit` IMAP connects (TLS handshake, login, SELECT) at a time in this process; the others wait their turn,
 * first come, first served. A replica that takes a thousand mailboxes at once (its start, a take-over) would
 * otherwise open a thousand handshakes together: the IMAP server sees a login storm, and the garbage of all of them
 * at once grows the V8 heap to a peak whose pages it keeps long after (docs/benchmarks.md, 1,000 mailboxes).
 * Only the connect holds a slot, never an import or an IDLE, and a connect ends within its own timeout, so a dead
 * server holds one slot for at most that long.
 */
export class ConnectSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a positive number of connect slots, not ${limit}`);
  }

  /** Runs `connect` once a slot is free; the slot is free again when it settles. */
  async run<T>(connect: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await connect();
    } finally {
      // The slot goes straight to the next in line, if any.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/** Enough for a replica's share to connect in seconds, few enough that a start is no login storm. */
export const IMAP_CONNECT_SLOTS = 32;

let shared: ConnectSlots | undefined;

/** The slots of all mailboxes of this process. */
export function imapConnectSlots(): ConnectSlots {
  shared ??= new ConnectSlots(IMAP_CONNECT_SLOTS);
  return shared;
}
