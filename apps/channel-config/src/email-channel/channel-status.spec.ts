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
      paused: { imap: null, smtp: null },
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

  it('is paused with the reason when IMAP logins were given up at the current revision, even before the report says so', () => {
    const imap = { reason: 'The IMAP server at imap.acme.test:993 rejected the username or password.', pausedAt: '2026-12-01T11:00:00.000Z', revision: 4, failures: 3 };
    const view = channelStatusView('acme', { enabled: true, revision: 4, pauses: { imap, smtp: null } }, report({ state: 'failing', lastError: 'auth_failed: rejected' }));
    expect(view).toMatchObject({ state: 'paused', lastError: imap.reason, lastErrorAt: imap.pausedAt, paused: { imap, smtp: null } });
  });

  it('shows an SMTP pause beside what the mailbox does', () => {
    const smtp = { reason: 'The SMTP server at smtp.acme.test:587 rejected the username or password.', pausedAt: '2026-12-01T11:00:00.000Z', revision: 4, failures: 3 };
    const view = channelStatusView('acme', { enabled: true, revision: 4, pauses: { imap: null, smtp } }, report({ state: 'watching' }));
    expect(view).toMatchObject({ state: 'watching', lastError: null, paused: { imap: null, smtp } });
  });

  it('forgets pauses of an older revision: the services resumed with the new one', () => {
    const old = { reason: 'rejected', pausedAt: '2026-12-01T11:00:00.000Z', revision: 3, failures: 3 };
    const view = channelStatusView('acme', { enabled: true, revision: 4, pauses: { imap: old, smtp: old } }, report({ revision: 3, state: 'paused', lastError: 'rejected' }));
    expect(view).toMatchObject({ state: 'connecting', paused: { imap: null, smtp: null } });
  });
});
