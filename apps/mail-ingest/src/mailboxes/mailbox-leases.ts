import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { MAILBOX_LEASE_BUCKET } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import type { KV } from '@nats-io/kv';

/** A lease not renewed for this long expires (the bucket's max age), and another replica may take the mailbox. */
export const LEASE_TTL_MS = 15_000;
/** Renewal and take-over period: three chances to renew before a lease expires. */
export const LEASE_RENEW_INTERVAL_MS = 5_000;
/**
 * Live replicas announce themselves in the same bucket under this prefix (a project id has no dot, so no lease key
 * starts with it), renewed with the leases and expiring like them: a replica killed without a goodbye stops counting
 * when its leases expire.
 */
const PRESENCE_PREFIX = 'replica.';

/**
 * Mailbox ownership between mail-ingest replicas, so each mailbox has exactly one watcher. A lease is a key
 * (projectId) in a KV bucket whose entries expire after LEASE_TTL_MS; its value is the holder's replica id.
 * Taking uses `create` (fails while anyone holds it), renewing uses `update` against the revision we wrote (fails
 * once someone else took it over), releasing deletes only our own revision.
 */
@Injectable()
export class MailboxLeases {
  readonly replicaId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(MailboxLeases.name);
  /** projectId → revision of our last write. */
  private readonly held = new Map<string, number>();
  /** Leases whose last write (take or renew) got no answer: it may have landed, so the key may hold our id. */
  private readonly uncertain = new Set<string>();
  private lastReplicaCount = 1;

  constructor(private readonly buckets: KeyValueBuckets) {}

  holds(projectId: string): boolean {
    return this.held.has(projectId);
  }

  heldProjects(): string[] {
    return [...this.held.keys()];
  }

  /** True when this replica now holds the lease (newly, or still: see `uncertain`). */
  async tryAcquire(projectId: string): Promise<boolean> {
    if (this.held.has(projectId)) return true;
    const bucket = await this.bucket();
    try {
      this.held.set(projectId, await bucket.create(projectId, this.replicaId));
      this.uncertain.delete(projectId);
      return true;
    } catch (error) {
      if (!isWrongLastSequence(error)) {
        this.uncertain.add(projectId);
        throw error;
      }
    }
    // Someone holds it. Only when an earlier write of ours went unanswered can that someone be us: then adopt it.
    // (Asked only then, so the leases of other replicas' mailboxes cost one failed create per round, no more.)
    if (!this.uncertain.delete(projectId)) return false;
    const entry = await bucket.get(projectId);
    if (entry?.operation === 'PUT' && entry.string() === this.replicaId) {
      this.held.set(projectId, await bucket.update(projectId, this.replicaId, entry.revision));
      return true;
    }
    return false;
  }

  /** Extends our lease; false (and no longer held) when it expired, was taken over, or NATS did not answer. */
  async renew(projectId: string): Promise<boolean> {
    const revision = this.held.get(projectId);
    if (revision === undefined) return false;
    try {
      const bucket = await this.bucket();
      this.held.set(projectId, await bucket.update(projectId, this.replicaId, revision));
      return true;
    } catch (error) {
      this.held.delete(projectId);
      if (!isWrongLastSequence(error)) this.uncertain.add(projectId);
      this.logger.warn(`Lost the lease of mailbox ${projectId}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  /** Gives the mailbox up at once (graceful stop, channel disabled), so another replica need not wait for expiry. */
  async release(projectId: string): Promise<void> {
    const revision = this.held.get(projectId);
    if (revision === undefined) return;
    this.held.delete(projectId);
    try {
      const bucket = await this.bucket();
      await bucket.delete(projectId, { previousSeq: revision });
    } catch (error) {
      // Someone took it over meanwhile, or NATS is gone: either way the lease is not ours, or will expire.
      this.logger.debug(`Releasing the lease of ${projectId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Says this replica is alive and returns how many are (itself included), for sharing the mailboxes evenly. The
   * count of the last round that could ask when NATS does not answer now.
   */
  async liveReplicas(): Promise<number> {
    try {
      const bucket = await this.bucket();
      await bucket.put(`${PRESENCE_PREFIX}${this.replicaId}`, this.replicaId);
      let count = 0;
      for await (const _key of await bucket.keys(`${PRESENCE_PREFIX}>`)) count += 1;
      this.lastReplicaCount = Math.max(1, count);
    } catch (error) {
      this.logger.warn(`Could not count the live replicas: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.lastReplicaCount;
  }

  /** A graceful stop stops counting at once, so the others take their larger share without waiting for expiry. */
  async leave(): Promise<void> {
    try {
      await (await this.bucket()).delete(`${PRESENCE_PREFIX}${this.replicaId}`);
    } catch (error) {
      this.logger.debug(`Leaving failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private bucket(): Promise<KV> {
    return this.buckets.bucket(MAILBOX_LEASE_BUCKET, { ttlMs: LEASE_TTL_MS });
  }
}

/** JetStream's answer to a write whose expected last revision did not match: the key exists / moved on. */
function isWrongLastSequence(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 10071 || code === 10164 || /wrong last sequence/i.test(error instanceof Error ? error.message : String(error));
}
