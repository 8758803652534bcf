import { describe, expect, it } from 'vitest';
import { fairShare, mailboxesToHandOver } from './mailbox-share.js';

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
