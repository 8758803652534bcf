import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_TOKENS_BUCKET, isApiScope, PROJECT_ID_PATTERN, type ApiTokenRecord } from '@ensoras/contracts';
import type { KvWatchEntry } from '@nats-io/kv';
import { watchBucket } from './bucket-watch.js';
import { KeyValueBuckets } from './key-value-buckets.js';

/** The bucket key of a token: the hex SHA-256 of its secret, the only form of it anything stores. */
export function apiTokenKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * This service's copy of the active scoped API tokens, kept current by watching the bucket channel-config writes
 * (as ChannelSettingsReplica does for settings): a token check is a map lookup, and a revocation (the key deleted)
 * reaches every service as fast as the watch delivers it.
 */
@Injectable()
export class ApiTokenReplica implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiTokenReplica.name);
  private readonly tokens = new Map<string, ApiTokenRecord>();
  private stopWatching: (() => void) | undefined;
  private ready: Promise<void> | undefined;
  private loaded = false;

  constructor(private readonly buckets: KeyValueBuckets) {}

  onApplicationBootstrap(): void {
    void this.start();
  }

  onApplicationShutdown(): void {
    this.stopWatching?.();
  }

  /** Resolves once the bucket's contents are loaded. */
  whenReady(): Promise<void> {
    return this.start();
  }

  /** Whether the initial contents are loaded: before that, an unknown token may be one not seen yet. */
  isReady(): boolean {
    return this.loaded;
  }

  /** The active token with this secret, if any. */
  find(secret: string): ApiTokenRecord | undefined {
    return this.tokens.get(apiTokenKey(secret));
  }

  /** Watches once, however often asked; a failed start (NATS away) is tried again by the next ask. */
  private start(): Promise<void> {
    if (!this.ready) {
      this.ready = this.watch();
      this.ready.catch((error: unknown) => {
        this.logger.warn(`API token watch did not start: ${String(error)}`);
        this.ready = undefined;
      });
    }
    return this.ready;
  }

  private async watch(): Promise<void> {
    const watch = await watchBucket(
      await this.buckets.bucket(API_TOKENS_BUCKET),
      (entry) => this.apply(entry),
      (error) => this.logger.error(`API token watch ended: ${String(error)}`),
    );
    this.stopWatching = () => watch.stop();
    await watch.loaded;
    this.loaded = true;
  }

  private apply(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      this.tokens.delete(entry.key);
      return;
    }
    const read = apiTokenOfEntry(() => entry.json<unknown>());
    if ('skipped' in read) {
      // An unreadable entry grants nothing; it must not end the watch (and so revocations) for every token.
      this.tokens.delete(entry.key);
      this.logger.warn(`API token entry ${entry.key.slice(0, 12)}… (sequence ${entry.revision}) skipped: ${read.skipped}`);
      return;
    }
    this.tokens.set(entry.key, read.token);
  }
}

/** A bucket entry as a token record, or why it is not one; anything malformed is refused rather than half-trusted. */
export function apiTokenOfEntry(read: () => unknown): { token: ApiTokenRecord } | { skipped: string } {
  let value: unknown;
  try {
    value = read();
  } catch {
    return { skipped: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { skipped: 'not an object' };
  const { id, name, projects, scopes } = value as Partial<Record<keyof ApiTokenRecord, unknown>>;
  if (typeof id !== 'string' || id === '' || typeof name !== 'string') return { skipped: 'no id or name' };
  const projectList = projects === '*' || (Array.isArray(projects) && projects.every((p) => typeof p === 'string' && PROJECT_ID_PATTERN.test(p)));
  if (!projectList) return { skipped: 'projects is neither "*" nor a list of project ids' };
  if (!Array.isArray(scopes) || !scopes.every(isApiScope)) return { skipped: 'scopes holds an unknown scope' };
  return { token: { id, name, projects: projects as ApiTokenRecord['projects'], scopes } };
}
