import { describe, expect, it } from 'vitest';
import { mailboxStatusRecord, sameReport } from './mailbox-status-record.js';
import type { MailboxStatus } from './mailbox-watcher.js';

const now = new Date('2026-12-01T12:00:00Z');
const status = (overrides: Partial<MailboxStatus> = {}): MailboxStatus => ({
  projectId: 'acme',
  mailbox: 'INBOX',
  server: 'imap.acme.test:993',
  revision: 3,
  state: 'idle',
  mode: 'idle',
  connectedSince: null,
  lastError: null,
  lastErrorAt: null,
  nextAttemptAt: null,
  lastImportAt: null,
  importedCount: 0,
  quarantinedCount: 0,
  waitingCount: 0,
  ...overrides,
});

describe("a watcher's status as the admin reads it", () => {
  it('counts finished mail (quarantined too) as imported, and what still waits into the total', () => {
    expect(mailboxStatusRecord(status({ state: 'importing', importedCount: 148, quarantinedCount: 2, waitingCount: 250 }), now)).toEqual({
      projectId: 'acme',
      revision: 3,
      state: 'backfilling',
      imported: 150,
      total: 400,
      lastError: null,
      lastErrorAt: null,
      lastImportAt: null,
      updatedAt: '2026-12-01T12:00:00.000Z',
    });
  });

  it('is watching while waiting for mail, and while importing no more than one batch', () => {
    expect(mailboxStatusRecord(status({ state: 'idle' }), now).state).toBe('watching');
    expect(mailboxStatusRecord(status({ state: 'polling' }), now).state).toBe('watching');
    expect(mailboxStatusRecord(status({ state: 'importing', waitingCount: 3 }), now).state).toBe('watching');
    expect(mailboxStatusRecord(status({ state: 'importing', waitingCount: 51 }), now).state).toBe('backfilling');
  });

  it('is failing in back-off, with the error, and connecting while logging in', () => {
    const failing = mailboxStatusRecord(status({ state: 'backoff', lastError: 'auth_failed: rejected', lastErrorAt: '2026-12-01T11:59:00.000Z' }), now);
    expect(failing).toMatchObject({ state: 'failing', lastError: 'auth_failed: rejected' });
    expect(mailboxStatusRecord(status({ state: 'connecting' }), now).state).toBe('connecting');
  });

  it('is paused, with the reason, once the watcher stopped logging in', () => {
    const reason = 'The IMAP server at imap.acme.test:993 rejected the username or password.';
    expect(mailboxStatusRecord(status({ state: 'paused', lastError: reason, lastErrorAt: '2026-12-01T11:59:00.000Z' }), now)).toMatchObject({
      state: 'paused',
      lastError: reason,
      revision: 3,
    });
  });

  it('tells reports apart by content, not by when they were made', () => {
    const first = mailboxStatusRecord(status(), now);
    expect(sameReport(first, mailboxStatusRecord(status(), new Date('2026-12-02T00:00:00Z')))).toBe(true);
    expect(sameReport(first, mailboxStatusRecord(status({ importedCount: 1 }), now))).toBe(false);
  });
});
