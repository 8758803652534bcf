import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CHANNEL_SETTINGS_BUCKET, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import type { KvWatchEntry } from '@nats-io/kv';
import { Subject } from 'rxjs';
import { watchBucket } from './bucket-watch.js';
import { KeyValueBuckets } from './key-value-buckets.js';

/**
 * This service's copy of every project's channel settings, kept current by watching the bucket channel-config
 * writes. Reads are local; `changes` tells about every update (and `null` settings for a deleted project).
 */
@Injectable()
export class ChannelSettingsReplica implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChannelSettingsReplica.name);
  private readonly settings = new Map<string, ChannelSettingsSnapshot>();
  readonly changes = new Subject<{ projectId: string; settings: ChannelSettingsSnapshot | null }>();
  private stopWatching: (() => void) | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly buckets: KeyValueBuckets) {}

  onApplicationBootstrap(): void {
    void this.start();
  }

  onApplicationShutdown(): void {
    this.stopWatching?.();
    this.changes.complete();
  }

  /** Resolves once the initial contents of the bucket are loaded. */
  whenReady(): Promise<void> {
    return this.start();
  }

  /**
   * Watches once, however often it is asked (bootstrap hook or an early whenReady()). A shutdown during start-up
   * ends the watch; callers of whenReady() see that, nothing else may crash on it as an unhandled rejection.
   */
  private start(): Promise<void> {
    if (!this.ready) {
      this.ready = this.watch();
      this.ready.catch((error: unknown) => this.logger.warn(`Channel settings watch did not start: ${String(error)}`));
    }
    return this.ready;
  }

  get(projectId: string): ChannelSettingsSnapshot | undefined {
    return this.settings.get(projectId);
  }

  all(): ChannelSettingsSnapshot[] {
    return [...this.settings.values()];
  }

  private async watch(): Promise<void> {
    const watch = await watchBucket(
      await this.buckets.bucket(CHANNEL_SETTINGS_BUCKET),
      (entry) => this.apply(entry),
      (error) => this.logger.error(`Channel settings watch ended: ${String(error)}`),
    );
    this.stopWatching = () => watch.stop();
    await watch.loaded;
  }

  private apply(entry: KvWatchEntry): void {
    const projectId = entry.key;
    if (entry.operation !== 'PUT') {
      this.settings.delete(projectId);
      this.changes.next({ projectId, settings: null });
      return;
    }
    const read = snapshotOfEntry(projectId, () => entry.json<unknown>());
    if ('skipped' in read) {
      // One unreadable entry (a bug, or a write by someone who should not) must not end the watch for every project.
      this.logger.warn(`Channel settings entry ${projectId} (sequence ${entry.revision}) skipped: ${read.skipped}`);
      return;
    }
    const next = read.snapshot;
    const current = this.settings.get(projectId);
    if (current && current.revision > next.revision) return;
    this.settings.set(projectId, next);
    this.changes.next({ projectId, settings: next });
  }
}

/**
 * A bucket entry as a snapshot, or why it is not one: not JSON, not an object, no numeric revision, or written under
 * another project's key (a sealed password is bound to its project anyway; this keeps the mix-up out of every map).
 */
export function snapshotOfEntry(key: string, read: () => unknown): { snapshot: ChannelSettingsSnapshot } | { skipped: string } {
  let value: unknown;
  try {
    value = read();
  } catch {
    return { skipped: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { skipped: 'not an object' };
  const { projectId, revision } = value as Partial<ChannelSettingsSnapshot>;
  if (projectId !== key) return { skipped: 'its projectId is not its key' };
  if (typeof revision !== 'number' || !Number.isInteger(revision)) return { skipped: 'no revision' };
  return { snapshot: value as ChannelSettingsSnapshot };
}
