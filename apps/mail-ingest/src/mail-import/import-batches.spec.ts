import { describe, expect, it } from 'vitest';
import { bytesToFetch, checkpointAfter, importBatches, isOversized, type PendingMail } from './import-batches.js';

const mail = (uid: number, size: number): PendingMail => ({ uid, size, internalDate: null });
const uidsOf = (batches: PendingMail[][]) => batches.map((batch) => batch.map((entry) => entry.uid));

describe('importBatches', () => {
  it('cuts the backlog into consecutive batches of at most maxMails, in UID order', () => {
    const pending = [1, 2, 3, 5, 8, 9, 10].map((uid) => mail(uid, 100));
    expect(uidsOf(importBatches(pending, { maxMails: 3, maxBytes: 1_000_000 }, (entry) => entry.size!))).toEqual([[1, 2, 3], [5, 8, 9], [10]]);
  });

  it('starts a new batch before the bytes in memory would pass maxBytes; a larger mail is a batch of its own', () => {
    const pending = [mail(1, 400), mail(2, 400), mail(3, 400), mail(4, 5_000), mail(5, 100)];
    expect(uidsOf(importBatches(pending, { maxMails: 50, maxBytes: 1_000 }, (entry) => entry.size!))).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('has no batch for an empty backlog', () => {
    expect(importBatches([], { maxMails: 50, maxBytes: 1_000 }, () => 1)).toEqual([]);
  });
});

describe('bytesToFetch and isOversized', () => {
  it('fetches a mail over the size limit only up to the fetch limit, any other whole', () => {
    expect(isOversized(20_000_000, 5_000_000)).toBe(true);
    expect(bytesToFetch(20_000_000, 5_000_000, 1_048_576)).toBe(1_048_576);
    expect(isOversized(4_000_000, 5_000_000)).toBe(false);
    expect(bytesToFetch(4_000_000, 5_000_000, 1_048_576)).toBe(4_000_000);
    expect(isOversized(20_000_000, null)).toBe(false);
    expect(isOversized(undefined, 5_000_000)).toBe(false);
  });
});

describe('checkpointAfter', () => {
  it('moves to the last mail when every mail of the batch is done', () => {
    expect(checkpointAfter([4, 5, 7], [true, true, true])).toBe(7);
  });

  it('stops before the first mail that is not done, even when later ones are', () => {
    expect(checkpointAfter([4, 5, 7, 9], [true, false, true, true])).toBe(4);
  });

  it('does not move when the first mail is not done', () => {
    expect(checkpointAfter([4, 5], [false, true])).toBeNull();
  });
});
