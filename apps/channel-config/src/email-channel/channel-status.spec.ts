import { describe, expect, it } from 'vitest';
import type { MailboxStatusRecord } from '@ensoras/contracts';
import { channelStatusView } from './channel-status.js';

const report = (overrides: Partial<MailboxStatusRecord> = {}): MailboxStatusRecord => ({
  projectId: 'acme',
  revision: 4,
  state: 'backfilling',
  imported: 150,
  total: 400,
  lastError: null,
  lastErrorAt: null,
  lastImportAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:01.000Z',
  ...overrides,
});

describe('the channel status an admin reads', () => {
  it("is mail-ingest's report for the current settings: state and progress", () => {
    expect(channelStatusView('acme', { enabled: true, revision: 4 }, report())).toEqual({
      projectId: 'acme',
      enabled: true,
      state: 'backfilling',
      imported: 150,
      total: 400,
      lastError: null,
      lastErrorAt: null,
      lastImportAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:01.000Z',
    });
  });

  it('is connecting while no report exists, or only one for older settings (keeping what it said)', () => {
    expect(channelStatusView('acme', { enabled: true, revision: 1 }, null)).toMatchObject({ state: 'connecting', imported: 0, total: 0, updatedAt: null });
    const stale = report({ revision: 3, state: 'failing', lastError: 'auth_failed: rejected' });
    expect(channelStatusView('acme', { enabled: true, revision: 4 }, stale)).toMatchObject({ state: 'connecting', lastError: 'auth_failed: rejected' });
  });

  it('is disabled while the channel is off, whatever was reported last', () => {
    expect(channelStatusView('acme', { enabled: false, revision: 5 }, report({ revision: 5, state: 'watching' })).state).toBe('disabled');
  });
});
