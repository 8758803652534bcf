import { describe, expect, it } from 'vitest';
import { handoffEventId } from './handoff-event-id.js';

describe('handoffEventId', () => {
  it('is the same for the same ticket, so a repeated handoff is one message', () => {
    expect(handoffEventId('p1', 't1')).toBe(handoffEventId('p1', 't1'));
    // The value it has always had, so a handoff published before an upgrade is not published again after it.
    expect(handoffEventId('p1', 't1')).toBe('6eda4bfe-e617-5b69-a7e9-0cf7ebbce2b5');
    expect(handoffEventId('p1', 't1', '2026-12-02T10:00:00.000Z')).toBe('98c081c0-c6e4-57c3-a14d-c03c4450d3a6');
  });

  it('differs between tickets and projects', () => {
    const ids = new Set([handoffEventId('p1', 't1'), handoffEventId('p1', 't2'), handoffEventId('p2', 't1')]);
    expect(ids.size).toBe(3);
  });

  it('differs for a handoff after the ticket was given back to the AI', () => {
    const first = handoffEventId('p1', 't1', '2026-12-02T10:00:00.000Z');
    expect(first).toBe(handoffEventId('p1', 't1', '2026-12-02T10:00:00.000Z'));
    expect(handoffEventId('p1', 't1', '2026-12-02T11:00:00.000Z')).not.toBe(first);
    expect(first).not.toBe(handoffEventId('p1', 't1'));
  });

  it('is shaped as a version 5 UUID with the RFC variant', () => {
    expect(handoffEventId('p1', 't1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
