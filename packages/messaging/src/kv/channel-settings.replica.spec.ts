import { describe, expect, it } from 'vitest';
import { snapshotOfEntry } from './channel-settings.replica.js';

describe('snapshotOfEntry', () => {
  it('takes a snapshot written under its own project', () => {
    const snapshot = { projectId: 'acme', revision: 3, enabled: true };
    expect(snapshotOfEntry('acme', () => snapshot)).toEqual({ snapshot });
  });

  it.each([
    ['not JSON', () => JSON.parse('{oops')],
    ['not an object', () => 42],
    ['its projectId is not its key', () => ({ projectId: 'other', revision: 1 })],
    ['no revision', () => ({ projectId: 'acme', revision: '7' })],
  ])('skips an entry that is %s, saying why', (reason, read) => {
    expect(snapshotOfEntry('acme', read)).toEqual({ skipped: reason });
  });
});
