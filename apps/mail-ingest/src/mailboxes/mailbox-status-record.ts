import type { MailboxStatusRecord } from '@ensoras/contracts';
import { IMPORT_BATCH_LIMITS } from '../mail-import/import-batches.js';
import type { MailboxStatus } from './mailbox-watcher.js';

/**
 * What the admin's channel status says of a watcher: `backfilling` while more than one batch of mail waits (a
 * mailbox's history, or a burst), so a single new mail does not flicker the state; `imported` counts what this
 * watcher finished (imported or quarantined), `total` adds what is still waiting.
 */
export function mailboxStatusRecord(status: MailboxStatus, now: Date): MailboxStatusRecord {
  const done = status.importedCount + status.quarantinedCount;
  return {
    projectId: status.projectId,
    revision: status.revision,
    state: recordState(status),
    imported: done,
    total: done + status.waitingCount,
    lastError: status.lastError,
    lastErrorAt: status.lastErrorAt,
    lastImportAt: status.lastImportAt,
    updatedAt: now.toISOString(),
  };
}

function recordState(status: MailboxStatus): MailboxStatusRecord['state'] {
  switch (status.state) {
    case 'connecting':
      return 'connecting';
    case 'backoff':
      return 'failing';
    case 'paused':
      return 'paused';
    case 'importing':
      return status.waitingCount > IMPORT_BATCH_LIMITS.maxMails ? 'backfilling' : 'watching';
    case 'idle':
    case 'polling':
      return 'watching';
  }
}

/** Whether two records say the same to an admin (the time of writing aside). */
export function sameReport(a: MailboxStatusRecord, b: MailboxStatusRecord): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
