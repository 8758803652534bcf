/**
 * How many mailboxes one replica watches: an equal share, rounded up so the shares always cover every mailbox. With
 * 1,000 mailboxes and 3 replicas that is 334, 334 and 332.
 */
export function fairShare(watchable: number, replicas: number): number {
  return Math.ceil(watchable / Math.max(1, replicas));
}

export interface HeldMailbox {
  projectId: string;
  /** Importing right now: handing it over would redo the batch in flight, so quiet mailboxes go first. */
  busy: boolean;
}

/**
 * The mailboxes a replica holding more than its share gives up (after a replica joined, or mailboxes were disabled),
 * so the replicas below their share take them. Quiet ones first, then in a stable order, so two rounds pick alike.
 */
export function mailboxesToHandOver(held: readonly HeldMailbox[], share: number): string[] {
  const excess = held.length - share;
  if (excess <= 0) return [];
  return [...held]
    .sort((a, b) => Number(a.busy) - Number(b.busy) || a.projectId.localeCompare(b.projectId))
    .slice(0, excess)
    .map((mailbox) => mailbox.projectId);
}

/**
 * Whether a round should try to take leases: when the replicas' announced counts leave some watchable mailbox
 * without a holder, or when a replica did not say (`heldByOthers` null: an older version, or NATS did not answer).
 * Counts are a round old, so this errs both ways for a round (a failed create, or a take one round later); what
 * it saves is every replica below its share trying the leases of all the others' mailboxes every round.
 */
export function freeMailboxesLikely(watchable: number, heldHere: number, heldByOthers: number | null): boolean {
  return heldByOthers === null || heldHere + heldByOthers < watchable;
}
