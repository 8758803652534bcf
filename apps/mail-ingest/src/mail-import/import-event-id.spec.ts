import { describe, expect, it } from 'vitest';
import { importEventId, rawObjectKey } from './import-event-id.js';

describe('importEventId', () => {
  it('is the same for the same mail, so JetStream drops a re-import as a duplicate', () => {
    expect(importEventId('p1', '1700000000', 42)).toBe(importEventId('p1', '1700000000', 42));
    // The value it has always had: a mail imported before an upgrade and again after it is still one event.
    expect(importEventId('p1', '1700000000', 42)).toBe('23c1d15f-5c7f-8271-8440-23c010382b3e');
  });

  it('differs when project, UIDVALIDITY or UID differ', () => {
    const ids = new Set([
      importEventId('p1', '1700000000', 42),
      importEventId('p2', '1700000000', 42),
      importEventId('p1', '1700000001', 42),
      importEventId('p1', '1700000000', 43),
      // No ambiguity from concatenation: ("p1", "17", 1) is not ("p11", "7", 1).
      importEventId('p1', '17', 1),
      importEventId('p11', '7', 1),
    ]);
    expect(ids.size).toBe(6);
  });

  it('looks like a UUID (version 8, RFC variant)', () => {
    expect(importEventId('p1', '1', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('rawObjectKey', () => {
  it('is <projectId>/<uidValidity>/<uid>', () => {
    expect(rawObjectKey('p1', '1700000000', 42)).toBe('p1/1700000000/42');
  });
});
