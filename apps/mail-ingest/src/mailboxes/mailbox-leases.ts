import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MAILBOX_LEASE_BUCKET } from '@ensoras/contracts';
import { JETSTREAM_MANAGER, KeyValueBuckets, MESSAGING_OPTIONS, NATS_CONNECTION, natsConnectionOptions, type MessagingOptions } from '@ensoras/messaging';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KvRevisionWriter, WrongRevisionError } from './kv-revision-writer.js';

/** A lease not renewed for this long expires (the bucket's max age), and another replica may take the mailbox. */
export const LEASE_TTL_MS = 15_000;
/**
 * A lease is renewed once its last write is this old. Each write keeps the key for LEASE_TTL_MS from when the server
 * stored it, so a renewal has until LEASE_VALID_MS (a few seconds) to be answered. 1,000 leases cost ~120 writes a
 * second this way (renewing every 5 s cost 200).
 */
export const LEASE_RENEW_AFTER_MS = 8_000;
/**
 * How long after its last write was sent a lease counts as ours. The server stored that write after we sent it, so
 * the key cannot expire (and be taken by another replica) before LEASE_TTL_MS from then; the margin covers the
 * renewal tick and stopping the watcher. A lease whose renewal is not answered by then is given up, whether or not
 * NATS answers later, so two replicas never watch one mailbox.
 */
export const LEASE_VALID_MS = LEASE_TTL_MS - 2_000;
/** How often due leases are renewed and the validity of each is checked. */
export const LEASE_TICK_MS = 1_000;
/**
 * How often a replica counts the others, hands over its excess and takes free leases (MailboxAssignment), and how
 * often it announces itself. A dead replica's mailboxes are taken in the first round after its leases expired.
 */
export const LEASE_ROUND_INTERVAL_MS = 3_000;
/**
 * Live replicas announce themselves in the same bucket under this prefix (a project id has no dot, so no lease key
 * starts with it), every LEASE_ROUND_INTERVAL_MS from the renewal tick (so a slow round cannot let it expire) and
 * expiring like the leases: a replica killed without a goodbye stops counting when its leases expire. The value tells
 * how many leases the replica holds (`{"held":n}`); an older replica writes its id there instead: "unknown".
 */
const PRESENCE_PREFIX = 'replica.';

/** One lease we hold: the revision of our last write and when that write was sent (monotonic ms). */
export interface HeldLease {
  revision: number;
  writtenAt: number;
  /** A renewal waiting for its answer; release waits for it so that it deletes the right revision. */
  renewal: Promise<void> | null;
  /** The last renewal got no answer (it may have landed): a later "wrong revision" may mean our own write. */
  unanswered: boolean;
}

/** Renew now: the last write is LEASE_RENEW_AFTER_MS old and no renewal is waiting for its answer. */
export function leaseDue(lease: HeldLease, now: number): boolean {
  return lease.renewal === null && now - lease.writtenAt >= LEASE_RENEW_AFTER_MS;
}

/** Still ours for certain: less than LEASE_VALID_MS since the last write that was answered was sent. */
export function leaseValid(lease: HeldLease, now: number): boolean {
  return now - lease.writtenAt < LEASE_VALID_MS;
}

/** What the other live replicas said in their announcements. */
export interface ReplicaSurvey {
  /** Live replicas, this one included. */
  replicas: number;
  /** Leases the others hold, or null when one of them did not say (an older version, or a read failed). */
  heldByOthers: number | null;
}

/**
 * Mailbox ownership between mail-ingest replicas, so each mailbox has exactly one watcher. A lease is a key
 * (projectId) in a KV bucket whose entries expire after LEASE_TTL_MS; its value is the holder's replica id.
 * Taking uses `create` (fails while anyone holds it), renewing writes against the revision we wrote (fails once
 * someone else took it over, or it expired), releasing deletes only our own revision. A lease counts as held only
 * while it is valid (LEASE_VALID_MS after the last write that was answered): `renewDue` gives up the others.
 */
@Injectable()
export class MailboxLeases {
  readonly replicaId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(MailboxLeases.name);
  private readonly held = new Map<string, HeldLease>();
  /** Leases whose last write (take or renew) got no answer: it may have landed, so the key may hold our id. */
  private readonly uncertain = new Set<string>();
  private readonly writer: KvRevisionWriter;
  private lastSurvey: ReplicaSurvey = { replicas: 1, heldByOthers: null };
  /** When the last announcement was sent, and whether one is waiting for its answer. */
  private announcedAt = Number.NEGATIVE_INFINITY;
  private announcing = false;
  /** The clock leases are timed by; monotonic. */
  now: () => number = () => performance.now();

  constructor(
    private readonly buckets: KeyValueBuckets,
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    @Inject(JETSTREAM_MANAGER) private readonly streams: Pick<JetStreamManager, 'streams'>,
  ) {
    const inboxPrefix = natsConnectionOptions(messaging.nats, messaging.serviceName).inboxPrefix ?? '_INBOX';
    this.writer = new KvRevisionWriter(connection, MAILBOX_LEASE_BUCKET, inboxPrefix);
  }

  holds(projectId: string): boolean {
    return this.held.has(projectId);
  }

  heldProjects(): string[] {
    return [...this.held.keys()];
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** True when this replica now holds the lease (newly, or still: see `uncertain`). */
  async tryAcquire(projectId: string): Promise<boolean> {
    if (this.held.has(projectId)) return true;
    const bucket = await this.bucket();
    let sentAt = this.now();
    try {
      this.hold(projectId, await bucket.create(projectId, this.replicaId), sentAt);
      this.uncertain.delete(projectId);
      return true;
    } catch (error) {
      if (!isWrongLastSequence(error)) {
        this.uncertain.add(projectId);
        throw error;
      }
    }
    // Someone holds it. Only when an earlier write of ours went unanswered can that someone be us: then adopt it.
    // (Asked only then, so the leases of other replicas' mailboxes cost one failed create, no more.)
    if (!this.uncertain.delete(projectId)) return false;
    const entry = await bucket.get(projectId);
    if (entry?.operation === 'PUT' && entry.string() === this.replicaId) {
      sentAt = this.now();
      this.hold(projectId, await bucket.update(projectId, this.replicaId, entry.revision), sentAt);
      return true;
    }
    return false;
  }

  /**
   * Sends a renewal for every lease that is due, without waiting for the answers, and gives up every lease that is
   * no longer valid (its renewal unanswered, or answered that the key moved on). `lost` is told each lease given up,
   * now or when its answer comes; the caller stops its watcher. Announces this replica when that is due too.
   */
  renewDue(lost: (projectId: string, reason: string) => void): void {
    const now = this.now();
    if (!this.announcing && now - this.announcedAt >= LEASE_ROUND_INTERVAL_MS) void this.announce();
    for (const [projectId, lease] of this.held) {
      if (!leaseValid(lease, now)) {
        this.held.delete(projectId);
        // A renewal may still land (or have landed) and keep the key in our name until it expires.
        this.uncertain.add(projectId);
        this.logger.warn(`Lost the lease of mailbox ${projectId}: not renewed within ${LEASE_VALID_MS} ms`);
        lost(projectId, 'its lease could not be renewed in time');
      } else if (leaseDue(lease, now)) {
        lease.renewal = this.renew(projectId, lease, lost);
      }
    }
  }

  private async renew(projectId: string, lease: HeldLease, lost: (projectId: string, reason: string) => void): Promise<void> {
    const sentAt = this.now();
    try {
      const revision = await this.writer.update(projectId, this.replicaId, lease.revision);
      lease.revision = revision;
      lease.writtenAt = sentAt;
      lease.unanswered = false;
    } catch (error) {
      if (this.held.get(projectId) !== lease) return;
      if (error instanceof WrongRevisionError) {
        // Taken over or expired; or, after an unanswered renewal, moved on by that renewal itself: then the key
        // still holds our id, and the next round adopts it (tryAcquire) instead of waiting for it to expire.
        this.held.delete(projectId);
        if (lease.unanswered) this.uncertain.add(projectId);
        this.logger.warn(`Lost the lease of mailbox ${projectId}: ${error.message}`);
        lost(projectId, 'its lease could not be renewed');
      } else {
        // No answer, or JetStream unavailable: the lease stays ours while it is valid; the next tick tries again.
        lease.unanswered = true;
        this.logger.debug(`Renewing the lease of mailbox ${projectId} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    } finally {
      lease.renewal = null;
    }
  }

  /** Gives the mailbox up at once (graceful stop, channel disabled), so another replica need not wait for expiry. */
  async release(projectId: string): Promise<void> {
    const lease = this.held.get(projectId);
    if (!lease) return;
    await lease.renewal;
    if (this.held.get(projectId) !== lease) return;
    this.held.delete(projectId);
    try {
      const bucket = await this.bucket();
      await bucket.delete(projectId, { previousSeq: lease.revision });
    } catch (error) {
      // Someone took it over meanwhile, or NATS is gone: either way the lease is not ours, or will expire.
      this.logger.debug(`Releasing the lease of ${projectId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Counts the live replicas (itself included) and what the others hold, for sharing the mailboxes evenly. The
   * survey of the last round that could ask when NATS does not answer now.
   */
  async survey(): Promise<ReplicaSurvey> {
    try {
      const bucket = await this.bucket();
      const own = `${PRESENCE_PREFIX}${this.replicaId}`;
      // The announcements' keys in one request (the stream's subjects), not through kv.keys(): that runs a consumer
      // until it has seen the last key, which under load took seconds (and named keys more than once).
      const prefix = `$KV.${MAILBOX_LEASE_BUCKET}.`;
      const info = await this.streams.streams.info(`KV_${MAILBOX_LEASE_BUCKET}`, { subjects_filter: `${prefix}${PRESENCE_PREFIX}>` });
      const others = Object.keys(info.state.subjects ?? {})
        .map((subject) => subject.slice(prefix.length))
        .filter((key) => key !== own);
      let heldByOthers: number | null = 0;
      let replicas = 1;
      for (const key of others) {
        const entry = await bucket.get(key).catch(() => undefined);
        // A replica that left keeps its subject as a delete marker; one that expired since the listing is gone.
        if (entry !== undefined && (entry === null || entry.operation !== 'PUT')) continue;
        replicas += 1;
        const held = entry === undefined ? null : heldCountOf(entry);
        heldByOthers = held === null || heldByOthers === null ? null : heldByOthers + held;
      }
      this.lastSurvey = { replicas, heldByOthers };
    } catch (error) {
      this.logger.warn(`Could not count the live replicas: ${error instanceof Error ? error.message : String(error)}`);
      this.lastSurvey = { ...this.lastSurvey, heldByOthers: null };
    }
    return this.lastSurvey;
  }

  /**
   * The mailboxes whose lease key has an entry (held by someone, or released moments ago: a delete marker stays until
   * it expires), in one request; null when NATS does not answer. Keys not in it are free: a round tries those first,
   * instead of knocking on every other replica's lease before it finds the expired ones of a replica that died.
   */
  async occupiedLeases(): Promise<Set<string> | null> {
    try {
      const prefix = `$KV.${MAILBOX_LEASE_BUCKET}.`;
      // `*`: project ids are one token; the announcements (replica.<id>) are two.
      const info = await this.streams.streams.info(`KV_${MAILBOX_LEASE_BUCKET}`, { subjects_filter: `${prefix}*` });
      return new Set(Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length)));
    } catch (error) {
      this.logger.debug(`Could not list the leases: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /** Says this replica is alive and how many leases it holds (renewed every round; expires like a lease). */
  async announce(): Promise<void> {
    this.announcing = true;
    this.announcedAt = this.now();
    try {
      await (await this.bucket()).put(`${PRESENCE_PREFIX}${this.replicaId}`, JSON.stringify({ held: this.held.size }));
    } catch (error) {
      this.logger.warn(`Could not announce this replica: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.announcing = false;
    }
  }

  /** A graceful stop stops counting at once, so the others take their larger share without waiting for expiry. */
  async leave(): Promise<void> {
    try {
      await (await this.bucket()).delete(`${PRESENCE_PREFIX}${this.replicaId}`);
    } catch (error) {
      this.logger.debug(`Leaving failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.writer.close();
  }

  private hold(projectId: string, revision: number, writtenAt: number): void {
    this.held.set(projectId, { revision, writtenAt, renewal: null, unanswered: false });
  }

  private bucket(): Promise<KV> {
    return this.buckets.bucket(MAILBOX_LEASE_BUCKET, { ttlMs: LEASE_TTL_MS });
  }
}

/**
 * The lease count of a replica's announcement: 0 when it is gone (expired since it was listed), null when it does not
 * say (an older replica writes its id there).
 */
export function heldCountOf(entry: { operation: string; string(): string } | null): number | null {
  if (!entry || entry.operation !== 'PUT') return 0;
  try {
    const held = (JSON.parse(entry.string()) as { held?: unknown }).held;
    return typeof held === 'number' && Number.isInteger(held) && held >= 0 ? held : null;
  } catch {
    return null;
  }
}

/** JetStream's answer to a write whose expected last revision did not match: the key exists / moved on. */
function isWrongLastSequence(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 10071 || code === 10164 || /wrong last sequence/i.test(error instanceof Error ? error.message : String(error));
}
