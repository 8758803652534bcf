import { isUUID } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { eventIds } from './event-ids.js';

describe('eventIds', () => {
  it('random: a version 4 UUID, another each time', () => {
    const id = eventIds.random();
    expect(isUUID(id, '4')).toBe(true);
    expect(eventIds.random()).not.toBe(id);
  });

  // The expected values were computed with the derivations as they were before they moved here: ids already
  // published (and de-duplicated by JetStream and the consumers' inboxes) must come out the same after an upgrade.
  it('derived: the ids of mail.received and channel.email.paused as they always were', () => {
    expect(eventIds.derived('mail.received', 'p1', '1700000000', 42)).toBe('23c1d15f-5c7f-8271-8440-23c010382b3e');
    expect(eventIds.derived('channel.email.paused', 'acme', 'smtp', 4)).toBe('c30f0358-2fed-827c-bc7d-b00fa62d8710');
  });

  it('derived: a version 8 UUID, the parts kept apart', () => {
    expect(eventIds.derived('x', 'p1', '17', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIds.derived('x', 'p1', '17', 1)).not.toBe(eventIds.derived('x', 'p11', '7', 1));
  });

  it('namedSha256: the ids of reply.proposed and reply.handoff as they always were', () => {
    expect(eventIds.namedSha256('reply.proposed:6f1c1d6e-8a53-4c38-9d9e-1a4c2b9f0a11')).toBe('a29afc42-b985-591a-b98c-b23cdcaa4af9');
    expect(eventIds.namedSha256('reply.handoff:p1:t1')).toBe('6eda4bfe-e617-5b69-a7e9-0cf7ebbce2b5');
    expect(eventIds.namedSha256('reply.handoff:p1:t1:2026-12-02T10:00:00.000Z')).toBe('98c081c0-c6e4-57c3-a14d-c03c4450d3a6');
  });

  it('namedV5: an RFC 9562 version 5 UUID, the ids of mail.sent and mail.failed as they always were', () => {
    const namespace = '4d6b1a0e-9c3f-4f7e-8a21-5b0d6c2e7f31';
    expect(eventIds.namedV5(namespace, 'mail.sent:o-1')).toBe('25c0acbb-de64-5c77-b849-bfc065048396');
    expect(eventIds.namedV5(namespace, 'mail.failed:o-1')).toBe('7035e67c-8293-5eed-84b2-020e941b2b2a');
    expect(eventIds.namedV5(namespace, 'mail.failed:o-1:held:2')).toBe('014bb9b1-d3a5-55a1-b583-af5827d6aeb8');
    expect(isUUID(eventIds.namedV5(namespace, 'x'), '5')).toBe(true);
  });

  describe('timeOrdered', () => {
    it('is a version 7 UUID', () => {
      expect(isUUID(eventIds.timeOrdered(), '7')).toBe(true);
    });

    it('sorts in the order the ids were made, also many within one millisecond', () => {
      const ids = Array.from({ length: 5_000 }, () => eventIds.timeOrdered(1_750_000_000_000));
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('keeps sorting forward when the clock steps back', () => {
      const later = eventIds.timeOrdered(1_800_000_000_000);
      const afterStepBack = eventIds.timeOrdered(1_700_000_000_000);
      expect(afterStepBack > later).toBe(true);
    });

    it('carries the time in its first 48 bits', () => {
      const id = eventIds.timeOrdered(1_900_000_000_000);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(1_900_000_000_000);
    });
  });
});
