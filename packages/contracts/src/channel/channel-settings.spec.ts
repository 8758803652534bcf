import { describe, expect, it } from 'vitest';
import { defaultImportSince, importSinceOf } from './channel-settings.js';

describe('how much history a channel imports', () => {
  const now = new Date('2026-12-01T23:40:00Z');

  it('defaults to the start of the day 14 days ago (UTC)', () => {
    expect(defaultImportSince(now)).toBe('2026-11-17T00:00:00.000Z');
    expect(defaultImportSince(new Date('2026-03-10T00:00:00Z'))).toBe('2026-02-24T00:00:00.000Z');
  });

  it('reads the stored choice: a date, or null for the whole mailbox', () => {
    expect(importSinceOf({ import: { since: '2020-01-01T00:00:00.000Z' } }, now)).toEqual(new Date('2020-01-01T00:00:00Z'));
    expect(importSinceOf({ import: { since: null } }, now)).toBeNull();
  });

  it('gives a snapshot written before the setting existed the default, never the whole mailbox', () => {
    expect(importSinceOf({}, now)).toEqual(new Date('2026-11-17T00:00:00Z'));
  });
});
