/** A mail waiting in the mailbox, as one FETCH of (UID, RFC822.SIZE, INTERNALDATE) for the whole backlog tells it. */
export interface PendingMail {
  uid: number;
  /** RFC822.SIZE; undefined when the server did not say. */
  size: number | undefined;
  internalDate: Date | null;
}

export interface BatchLimits {
  /** At most this many mails per batch: one FETCH of their sources, one checkpoint write, one STORE \Seen. */
  maxMails: number;
  /** At most this many bytes of source in memory per batch (a single larger mail still makes a batch of its own). */
  maxBytes: number;
}

/** 50 mails or 8 MiB: big enough that round trips stop mattering, small enough that a restart redoes little. */
export const IMPORT_BATCH_LIMITS: BatchLimits = { maxMails: 50, maxBytes: 8 * 1024 * 1024 };

/** How much of a mail is downloaded: all of it, or only `fetchLimit` bytes when it is over the channel's size limit. */
export function bytesToFetch(size: number | undefined, sizeLimit: number | null | undefined, fetchLimit: number): number {
  const declared = size ?? 0;
  return isOversized(size, sizeLimit) ? Math.min(declared, fetchLimit) : declared;
}

export function isOversized(size: number | undefined, sizeLimit: number | null | undefined): boolean {
  return typeof size === 'number' && sizeLimit != null && size > sizeLimit;
}

/**
 * Cuts the backlog (in UID order) into consecutive batches, keeping the order. `bytesOf` is what a mail costs in
 * memory while its batch is imported.
 */
export function importBatches<T extends PendingMail>(pending: readonly T[], limits: BatchLimits, bytesOf: (mail: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const mail of pending) {
    const cost = bytesOf(mail);
    if (current.length > 0 && (current.length >= limits.maxMails || bytes + cost > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(mail);
    bytes += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Where the checkpoint may move after a batch: the highest UID whose mail, and every mail before it in the batch, is
 * done (event stored, quarantined, or gone). `done` is in UID order; null when not even the first mail is done.
 */
export function checkpointAfter(uids: readonly number[], done: readonly boolean[]): number | null {
  let last: number | null = null;
  for (let index = 0; index < uids.length; index += 1) {
    if (!done[index]) break;
    last = uids[index]!;
  }
  return last;
}
