import { describe, expect, it } from 'vitest';
import { fairShare, freeMailboxesLikely, mailboxesToHandOver } from './mailbox-share.js';

describe('sharing mailboxes between replicas', () => {
  it('gives each replica an equal share, rounded up so every mailbox has room', () => {
    expect(fairShare(1_000, 3)).toBe(334);
    expect(fairShare(6, 2)).toBe(3);
    expect(fairShare(7, 2)).toBe(4);
    expect(fairShare(5, 1)).toBe(5);
    expect(fairShare(0, 3)).toBe(0);
    // Not counted yet (or NATS silent): a replica alone.
    expect(fairShare(5, 0)).toBe(5);
  });

  it('hands over only the excess, quiet mailboxes before busy ones, in a stable order', () => {
    const held = [
      { projectId: 'c', busy: false },
      { projectId: 'a', busy: true },
      { projectId: 'd', busy: false },
      { projectId: 'b', busy: false },
    ];
    expect(mailboxesToHandOver(held, 4)).toEqual([]);
    expect(mailboxesToHandOver(held, 2)).toEqual(['b', 'c']);
    expect(mailboxesToHandOver(held, 0)).toEqual(['b', 'c', 'd', 'a']);
  });
});

describe('whether a round looks for free leases', () => {
  it('looks when the announced counts leave a mailbox without a holder, or when a replica did not say', () => {
    expect(freeMailboxesLikely(1_000, 334, 666)).toBe(false);
    expect(freeMailboxesLikely(1_000, 333, 666)).toBe(true);
    // A replica that died: its announcement expired with its leases, so its mailboxes count as free.
    expect(freeMailboxesLikely(1_000, 500, 334)).toBe(true);
    // An older replica writes its id instead of a count: always look, as before.
    expect(freeMailboxesLikely(1_000, 334, null)).toBe(true);
    // Counts a round old may add up to more than there are (a hand-over not announced yet): nothing to take.
    expect(freeMailboxesLikely(12, 6, 8)).toBe(false);
  });
});
