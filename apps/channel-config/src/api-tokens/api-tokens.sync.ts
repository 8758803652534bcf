import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_TOKENS_BUCKET } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity, apiTokenRecordOf } from './api-token.entity.js';

const RETRY_INTERVAL_MS = 5_000;

/**
 * Keeps the `api-tokens` bucket equal to the active rows of api_token: the table is the truth and is committed first,
 * the bucket follows. A write that fails (NATS away, a crash in between) is repaired by reconciling the whole bucket,
 * at start and every few seconds until it succeeds: active tokens put, every other key deleted.
 *
 * A revocation commits first and deletes the key after, so no put may land after that delete: every put is
 * compare-and-set against the entry it saw (none at creation; a stray delete marker when repairing, and then only after
 * reading again that the token is still active). A put racing a revocation, on this replica or another, fails instead
 * of bringing the revoked token back.
 */
@Injectable()
export class ApiTokensSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiTokensSync.name);
  private reconcilePending = false;
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
      const { put, deleted } = await this.reconcile();
      this.logger.log(`API token bucket reconciled (${put} put, ${deleted} deleted)`);
    } catch (error) {
      this.reconcilePending = true;
      this.logger.warn(`API token reconciliation failed, retrying: ${describe(error)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.retrying;
  }

  /** After a token's creation committed; a failure is retried in the background (the token works once it lands). */
  async publish(token: ApiTokenEntity): Promise<void> {
    try {
      await this.putIfAbsent(await this.buckets.bucket(API_TOKENS_BUCKET), token);
    } catch (error) {
      this.reconcilePending = true;
      this.logger.warn(`API token ${token.id} not in the bucket yet: ${describe(error)}`);
    }
  }

  /** After a revocation committed. Throws when the bucket could not be told; it is retried in the background then. */
  async remove(token: ApiTokenEntity): Promise<void> {
    try {
      await (await this.buckets.bucket(API_TOKENS_BUCKET)).delete(token.tokenHash);
    } catch (error) {
      this.reconcilePending = true;
      throw error;
    }
  }

  /** Puts every active token that is missing and deletes every key that is not an active token. */
  async reconcile(): Promise<{ put: number; deleted: number }> {
    const bucket = await this.buckets.bucket(API_TOKENS_BUCKET);
    const tokens = this.dataSource.getRepository(ApiTokenEntity);
    const active = await tokens.findBy({ revokedAt: IsNull() });
    let put = 0;
    for (const token of active) if (await this.restore(bucket, token)) put++;

    const activeKeys = new Set(active.map((token) => token.tokenHash));
    const strays: string[] = [];
    for await (const key of await bucket.keys()) if (!activeKeys.has(key)) strays.push(key);
    let deleted = 0;
    for (const key of strays) {
      // Asked again: a token created since the list above is in the table (its put follows its commit).
      if (await tokens.existsBy({ tokenHash: key, revokedAt: IsNull() })) continue;
      await bucket.delete(key);
      deleted++;
    }
    this.reconcilePending = false;
    return { put, deleted };
  }

  /** Puts an active token whose entry is missing (or was deleted by mistake); true when it did. */
  private async restore(bucket: KV, token: ApiTokenEntity): Promise<boolean> {
    const entry = await bucket.get(token.tokenHash);
    if (entry?.operation === 'PUT') return false;
    // Read again after the entry: a revocation that deleted it before is seen now; one that deletes it later fails our put.
    const stillActive = await this.dataSource.getRepository(ApiTokenEntity).existsBy({ id: token.id, revokedAt: IsNull() });
    return stillActive && this.putExpecting(bucket, token, entry?.revision ?? 0);
  }

  /** previousSeq 0: only when the key has no entry at all, not even a revoked token's delete marker. */
  private putIfAbsent(bucket: KV, token: ApiTokenEntity): Promise<boolean> {
    return this.putExpecting(bucket, token, 0);
  }

  private async putExpecting(bucket: KV, token: ApiTokenEntity, previousSeq: number): Promise<boolean> {
    try {
      await bucket.put(token.tokenHash, JSON.stringify(apiTokenRecordOf(token)), { previousSeq });
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }

  private retrySoon(): void {
    if (this.retrying || !this.reconcilePending) return;
    this.retrying = this.reconcile()
      .then(({ put, deleted }) => this.logger.log(`API token bucket repaired (${put} put, ${deleted} deleted)`))
      .catch((error: unknown) => this.logger.warn(`API token reconciliation failed, retrying: ${describe(error)}`))
      .finally(() => (this.retrying = undefined));
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
