import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { MAILBOX_STATUS_BUCKET, type MailboxStatusRecord } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import { mailboxStatusRecord, sameReport } from './mailbox-status-record.js';
import type { MailboxStatus } from './mailbox-watcher.js';

/** A backfill moves its counts with every batch: written at most this often (a new state is written at once). */
const MIN_REPORT_INTERVAL_MS = 1_000;
const RETRY_AFTER_FAILURE_MS = 5_000;

interface ProjectReports {
  latest: MailboxStatusRecord;
  written: MailboxStatusRecord | null;
  writtenAt: number;
  timer: NodeJS.Timeout | undefined;
  writing: boolean;
}

/**
 * Publishes each watcher's status into the `mailbox-status` bucket, where channel-config's status route reads it:
 * only when it says something new; a new state at once, new counts at most once a second per mailbox; the latest
 * report always written last.
 * A failed write is logged and retried with the next change: the status is a view, never worth holding mail for.
 */
@Injectable()
export class MailboxStatusReports implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MailboxStatusReports.name);
  private readonly projects = new Map<string, ProjectReports>();
  private closing = false;

  constructor(private readonly buckets: KeyValueBuckets) {}

  report(status: MailboxStatus): void {
    if (this.closing) return;
    const latest = mailboxStatusRecord(status, new Date());
    let entry = this.projects.get(status.projectId);
    if (!entry) {
      entry = { latest, written: null, writtenAt: 0, timer: undefined, writing: false };
      this.projects.set(status.projectId, entry);
    }
    entry.latest = latest;
    // A write in flight schedules the next one when it ends; a pending one is brought forward for a new state.
    if (entry.writing || (entry.timer && !this.isNewState(entry))) return;
    clearTimeout(entry.timer);
    this.schedule(status.projectId);
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const entry of this.projects.values()) clearTimeout(entry.timer);
  }

  private isNewState(entry: ProjectReports): boolean {
    return entry.written === null || entry.latest.state !== entry.written.state;
  }

  private schedule(projectId: string): void {
    const entry = this.projects.get(projectId)!;
    const wait = this.isNewState(entry) ? 0 : Math.max(0, entry.writtenAt + MIN_REPORT_INTERVAL_MS - Date.now());
    entry.timer = setTimeout(() => void this.write(projectId), wait);
    entry.timer.unref();
  }

  private async write(projectId: string): Promise<void> {
    const entry = this.projects.get(projectId)!;
    entry.timer = undefined;
    const record = entry.latest;
    if (this.closing || (entry.written && sameReport(entry.written, record))) return;
    entry.writing = true;
    let failed = false;
    try {
      const bucket = await this.buckets.bucket(MAILBOX_STATUS_BUCKET);
      await bucket.put(projectId, JSON.stringify({ ...record, updatedAt: new Date().toISOString() }));
      entry.written = record;
    } catch (error) {
      failed = true;
      this.logger.warn(`The status of mailbox ${projectId} could not be published: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      entry.writing = false;
      entry.writtenAt = Date.now();
    }
    if (this.closing) return;
    if (failed) {
      // NATS is away: try the latest report again later, without spinning.
      entry.timer = setTimeout(() => void this.write(projectId), RETRY_AFTER_FAILURE_MS);
      entry.timer.unref();
    } else if (entry.latest !== record) {
      this.schedule(projectId);
    }
  }
}
