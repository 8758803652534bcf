import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CHANNEL_SETTINGS_BUCKET, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { DataSource, MoreThan } from 'typeorm';
import { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import { ProjectEntity } from '../projects/project.entity.js';
import { channelSettingsSnapshot } from './channel-settings-snapshot.js';

const RETRY_INTERVAL_MS = 5_000;
const RECONCILE_PAGE_SIZE = 200;
const COMPARE_AND_SET_ATTEMPTS = 5;

/**
 * Keeps the `channel-settings` bucket equal to the database. The database is the truth and is committed first;
 * the bucket follows after the commit. A crash (or a NATS outage) between the two is repaired by re-writing every
 * project at start-up and by retrying failed writes in the background.
 *
 * Writes are compare-and-set on the bucket entry and never replace a snapshot of a higher revision, so two
 * replicas (or two requests) finishing out of order cannot put an older state back.
 */
@Injectable()
export class ChannelSettingsSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChannelSettingsSync.name);
  private readonly pending = new Set<string>();
  private reconcileAllPending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying: Promise<void> | undefined;
  private started: Promise<void> | undefined;

  constructor(
    private readonly buckets: KeyValueBuckets,
    private readonly dataSource: DataSource,
  ) {}

  /** Nest runs bootstrap hooks once for the HTTP app and once for the JetStream microservice; start once. */
  onApplicationBootstrap(): Promise<void> {
    return (this.started ??= this.start());
  }

  private async start(): Promise<void> {
    this.retryTimer = setInterval(() => this.retrySoon(), RETRY_INTERVAL_MS);
    this.retryTimer.unref();
    try {
      const written = await this.reconcileAll();
      this.logger.log(`Channel settings bucket reconciled (${written} snapshot(s) re-written)`);
    } catch (error) {
      // Serving the API matters more than a bucket that is briefly behind: keep trying in the background.
      this.reconcileAllPending = true;
      this.logger.warn(`Channel settings reconciliation failed, retrying: ${describe(error)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.retrying;
  }

  /** After a commit: write the project's snapshot now; if that fails, retry until it succeeds. */
  async publish(snapshot: ChannelSettingsSnapshot): Promise<void> {
    try {
      await this.write(snapshot);
      this.pending.delete(snapshot.projectId);
    } catch (error) {
      this.pending.add(snapshot.projectId);
      this.logger.warn(`Snapshot of ${snapshot.projectId} (revision ${snapshot.revision}) not written yet: ${describe(error)}`);
    }
  }

  /** Re-writes every project's snapshot from the database; returns how many entries were behind. */
  async reconcileAll(): Promise<number> {
    let written = 0;
    let after = '';
    for (;;) {
      const projects = await this.dataSource.manager.find(ProjectEntity, {
        where: { projectId: MoreThan(after) },
        order: { projectId: 'ASC' },
        take: RECONCILE_PAGE_SIZE,
      });
      for (const project of projects) {
        if (await this.write(await this.snapshotOf(project))) written++;
        this.pending.delete(project.projectId);
      }
      if (projects.length < RECONCILE_PAGE_SIZE) break;
      after = projects[projects.length - 1].projectId;
    }
    this.reconcileAllPending = false;
    return written;
  }

  /** Writes unless the bucket already holds this revision or a newer one; true when it wrote. */
  private async write(snapshot: ChannelSettingsSnapshot): Promise<boolean> {
    const bucket = await this.buckets.bucket(CHANNEL_SETTINGS_BUCKET);
    for (let attempt = 1; attempt <= COMPARE_AND_SET_ATTEMPTS; attempt++) {
      const entry = await bucket.get(snapshot.projectId);
      const present = entry?.operation === 'PUT' ? revisionOf(entry) : null;
      if (present !== null && present >= snapshot.revision) return false;
      try {
        // previousSeq 0 = "no entry yet"; otherwise the entry we compared against must still be the latest.
        await bucket.put(snapshot.projectId, JSON.stringify(snapshot), { previousSeq: entry?.revision ?? 0 });
        return true;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new Error(`Snapshot of ${snapshot.projectId} kept changing under us (${COMPARE_AND_SET_ATTEMPTS} attempts)`);
  }

  private async snapshotOf(project: ProjectEntity): Promise<ChannelSettingsSnapshot> {
    const channel = await this.dataSource.manager.findOneBy(EmailChannelEntity, { projectId: project.projectId });
    return channelSettingsSnapshot(project, channel);
  }

  private retrySoon(): void {
    if (this.retrying || (!this.reconcileAllPending && this.pending.size === 0)) return;
    this.retrying = this.retry()
      .catch((error: unknown) => this.logger.warn(`Channel settings retry failed: ${describe(error)}`))
      .finally(() => (this.retrying = undefined));
  }

  private async retry(): Promise<void> {
    if (this.reconcileAllPending) {
      await this.reconcileAll();
      return;
    }
    for (const projectId of [...this.pending]) {
      const project = await this.dataSource.manager.findOneBy(ProjectEntity, { projectId });
      if (project) await this.write(await this.snapshotOf(project));
      this.pending.delete(projectId);
    }
  }
}

function revisionOf(entry: Awaited<ReturnType<KV['get']>>): number | null {
  try {
    const revision = entry?.json<Partial<ChannelSettingsSnapshot>>().revision;
    return typeof revision === 'number' ? revision : null;
  } catch {
    return null; // unreadable: ours replaces it
  }
}

function isWrongLastSequence(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    return error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown;
  }
  // A second copy of the client library would fail instanceof; the server's wording is stable.
  return /wrong last sequence/i.test(describe(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
