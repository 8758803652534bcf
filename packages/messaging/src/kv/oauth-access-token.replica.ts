import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { OAUTH_ACCESS_TOKEN_BUCKET, type MailDirection, type OAuthAccessTokenEntry } from '@ensoras/contracts';
import type { KvWatchEntry } from '@nats-io/kv';
import { Subject } from 'rxjs';
import { watchBucket } from './bucket-watch.js';
import { KeyValueBuckets } from './key-value-buckets.js';

/**
 * This service's copy of the `oauth-access-tokens` bucket (written by channel-config): the sealed access token, or
 * the revocation, of each direction that logs in with OAuth2. Not started by itself: only the services that log in
 * to mailboxes (mail-ingest, mail-outbound) provide it, and it starts watching when first asked.
 */
@Injectable()
export class OAuthAccessTokenReplica implements OnApplicationShutdown {
  private readonly logger = new Logger(OAuthAccessTokenReplica.name);
  private readonly entries = new Map<string, OAuthAccessTokenEntry>();
  /** Tells about every new entry (and `null` for a removed one), keyed like the bucket. */
  readonly changes = new Subject<{ projectId: string; direction: MailDirection; entry: OAuthAccessTokenEntry | null }>();
  private stopWatching: (() => void) | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly buckets: KeyValueBuckets) {}

  onApplicationShutdown(): void {
    this.stopWatching?.();
    this.changes.complete();
  }

  /** Resolves once the bucket's contents are loaded; starts the watch on the first call. */
  whenReady(): Promise<void> {
    if (!this.ready) {
      this.ready = this.watch();
      this.ready.catch((error: unknown) => {
        this.logger.warn(`OAuth access token watch did not start: ${String(error)}`);
        this.ready = undefined; // the next caller tries again
      });
    }
    return this.ready;
  }

  get(projectId: string, direction: MailDirection): OAuthAccessTokenEntry | undefined {
    return this.entries.get(`${projectId}.${direction}`);
  }

  private async watch(): Promise<void> {
    const watch = await watchBucket(
      await this.buckets.bucket(OAUTH_ACCESS_TOKEN_BUCKET),
      (entry) => this.apply(entry),
      (error) => this.logger.error(`OAuth access token watch ended: ${String(error)}`),
    );
    this.stopWatching = () => watch.stop();
    await watch.loaded;
  }

  private apply(entry: KvWatchEntry): void {
    const match = /^(.+)\.(imap|smtp)$/.exec(entry.key);
    if (!match) return;
    const [, projectId, direction] = match as unknown as [string, string, MailDirection];
    if (entry.operation !== 'PUT') {
      this.entries.delete(entry.key);
      this.changes.next({ projectId, direction, entry: null });
      return;
    }
    let value: OAuthAccessTokenEntry;
    try {
      value = entry.json<OAuthAccessTokenEntry>();
    } catch {
      this.logger.warn(`OAuth access token entry ${entry.key} skipped: not JSON`);
      return;
    }
    if (value?.projectId !== projectId || value.direction !== direction || typeof value.version !== 'number') {
      this.logger.warn(`OAuth access token entry ${entry.key} skipped: not an entry of its key`);
      return;
    }
    const current = this.entries.get(entry.key);
    if (current && current.provider === value.provider && current.version > value.version) return;
    this.entries.set(entry.key, value);
    this.changes.next({ projectId, direction, entry: value });
  }
}
