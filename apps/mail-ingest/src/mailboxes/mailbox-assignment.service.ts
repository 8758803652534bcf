import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PROJECT_ID_PATTERN, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import { ChannelSettingsReplica } from '@ensoras/messaging';
import type { Subscription } from 'rxjs';
import { CheckpointStore } from '../checkpoints/checkpoint.store.js';
import { MailImporter } from '../mail-import/mail-importer.js';
import { IngestMetrics } from '../metrics/ingest-metrics.js';
import { ImapCredentials } from './imap-credentials.js';
import { KeyedSerialQueue } from './keyed-serial-queue.js';
import { LEASE_ROUND_INTERVAL_MS, LEASE_TICK_MS, MailboxLeases } from './mailbox-leases.js';
import { fairShare, freeMailboxesLikely, mailboxesToHandOver } from './mailbox-share.js';
import { MailboxPauses } from './mailbox-pauses.js';
import { MailboxStatusReports } from './mailbox-status-reports.js';
import { MailboxWatcher, type MailboxStatus, type WatchableChannel } from './mailbox-watcher.js';

export const MAILBOX_WATCH_OPTIONS = Symbol('MAILBOX_WATCH_OPTIONS');
export interface MailboxWatchOptions {
  pollIntervalMs: number;
  /** AUTH_FAILURES_BEFORE_PAUSE. */
  authFailuresBeforePause: number;
}

/** An enabled channel with IMAP settings, whose project id can be a subject token and a KV key. */
export function isWatchable(settings: ChannelSettingsSnapshot | undefined): settings is WatchableChannel {
  return !!settings && settings.enabled && settings.imap !== null && PROJECT_ID_PATTERN.test(settings.projectId);
}

/**
 * Decides which mailboxes this replica watches. A mailbox is watched here while its channel is enabled with IMAP
 * settings and this replica holds its lease. Every LEASE_TICK_MS the leases that are due are renewed, and a lease
 * that is not renewed in time or was taken over stops its watcher at once (MailboxLeases.renewDue). Every
 * LEASE_ROUND_INTERVAL_MS a round takes the leases of watchable mailboxes nobody holds, so a dead replica's
 * mailboxes move on once its leases expire. A settings change (new revision) restarts the watcher with the new
 * settings; disabling stops it and releases the lease.
 *
 * The replicas share the mailboxes evenly: each round counts the live replicas, and a replica takes leases only
 * while it holds fewer than its share (fairShare) and hands over what it holds beyond it, so one that joins gets its
 * share within a few rounds and the survivors of one that died take its mailboxes once its leases expire. A handed
 * over mailbox is stopped like a graceful stop (the checkpoint keeps its place), then released for the others.
 * Each replica announces how many leases it holds; a round tries to take leases only when the counts say some are
 * free, so replicas that hold every mailbox between them do not knock on each other's leases every round.
 */
@Injectable()
export class MailboxAssignment implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MailboxAssignment.name);
  private readonly watchers = new Map<string, MailboxWatcher>();
  private readonly queue = new KeyedSerialQueue();
  private subscription: Subscription | undefined;
  private roundTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;
  private closing = false;
  /** Live replicas at the last round. */
  private replicas = 1;
  /** Leases being taken right now, and who waits for one of those attempts to end before trying. */
  private acquiring = 0;
  private readonly attemptEnded = new Set<() => void>();
  /** This replica's share of the watchable mailboxes; recounted every round and with every settings change. */
  private share = Number.POSITIVE_INFINITY;

  constructor(
    private readonly replica: ChannelSettingsReplica,
    private readonly leases: MailboxLeases,
    private readonly importer: MailImporter,
    private readonly checkpoints: CheckpointStore,
    private readonly metrics: IngestMetrics,
    private readonly credentials: ImapCredentials,
    private readonly reports: MailboxStatusReports,
    private readonly pauses: MailboxPauses,
    @Inject(MAILBOX_WATCH_OPTIONS) private readonly options: MailboxWatchOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.observeMailboxStates(() => this.statuses().map((status) => status.state));
    // In the background: the service is up (and /health tells) while mailboxes connect.
    void this.start().catch((error: unknown) => this.logger.error(`Mailbox assignment did not start: ${String(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.roundTimer);
    clearInterval(this.tickTimer);
    this.subscription?.unsubscribe();
    await this.round;
    // NATS is still connected here (it drains in onApplicationShutdown), so the leases can be handed back.
    const projects = new Set([...this.watchers.keys(), ...this.leases.heldProjects()]);
    await Promise.all(
      [...projects].map((projectId) =>
        this.queue.run(projectId, () => this.giveUp(projectId, 'shutting down')),
      ),
    );
    await this.leases.leave();
  }

  /** The mailboxes this replica watches, for the admin listing and /metrics. */
  statuses(): MailboxStatus[] {
    return [...this.watchers.values()].map((watcher) => watcher.snapshot());
  }

  get replicaId(): string {
    return this.leases.replicaId;
  }

  private async start(): Promise<void> {
    await this.replicaReady();
    if (this.closing) return;
    this.subscription = this.replica.changes.subscribe(({ projectId }) => {
      this.recountShare();
      void this.reconcile(projectId, true);
    });
    this.tickTimer = setInterval(() => this.renewLeases(), LEASE_TICK_MS);
    this.roundTimer = setInterval(() => void this.leaseRound(), LEASE_ROUND_INTERVAL_MS);
    await this.leaseRound();
  }

  /** Renews the leases that are due; a lease given up stops its watcher at once, not behind the project's queue. */
  private renewLeases(): void {
    if (this.closing) return;
    this.leases.renewDue((projectId, reason) => void this.stopWatcher(projectId, reason));
  }

  /**
   * Counts the replicas, hands over what is beyond our share, announces what we hold, then reconciles the projects
   * that need it (taking free leases up to the share when the counts say some are free). Rounds never overlap. (The
   * renewal tick announces too, so a round that runs long does not let this replica's announcement expire.)
   */
  private leaseRound(): Promise<void> {
    if (this.round || this.closing) return this.round ?? Promise.resolve();
    this.round = (async () => {
      const survey = await this.leases.survey();
      this.replicas = survey.replicas;
      this.recountShare();
      await this.handOverExcess();
      await this.leases.announce();
      const mayTake = freeMailboxesLikely(this.replica.all().filter(isWatchable).length, this.leases.heldCount, survey.heldByOthers);
      const projects = [...new Set([...this.replica.all().map((settings) => settings.projectId), ...this.watchers.keys()])].filter((projectId) =>
        this.needsReconcile(projectId, mayTake),
      );
      // Free leases first (no key), then the ones with a key: held by others (a failed create each) or just released.
      const occupied = mayTake ? await this.leases.occupiedLeases() : null;
      const later = new Set(occupied ? projects.filter((projectId) => occupied.has(projectId) && !this.leases.holds(projectId) && !this.watchers.has(projectId)) : []);
      const first = projects.filter((projectId) => !later.has(projectId));
      await Promise.all(first.map((projectId) => this.reconcile(projectId, mayTake)));
      if (later.size > 0 && this.leases.heldCount < this.share) await Promise.all([...later].map((projectId) => this.reconcile(projectId, mayTake)));
    })()
      .catch((error: unknown) => this.logger.warn(`Lease round failed: ${String(error)}`))
      .finally(() => (this.round = null));
    return this.round;
  }

  /**
   * Whether reconcile would change anything: false for a mailbox watched here with its current settings and lease,
   * and for one that is neither watched nor held here when no lease is free to take. A thousand watched mailboxes
   * then cost a thousand map lookups a round, not a thousand queued tasks.
   */
  private needsReconcile(projectId: string, mayTake: boolean): boolean {
    const settings = this.replica.get(projectId);
    const watcher = this.watchers.get(projectId);
    const held = this.leases.holds(projectId);
    if (!isWatchable(settings)) return watcher !== undefined || held;
    if (watcher) return !held || watcher.revision !== settings.revision;
    return held || mayTake;
  }

  /**
   * Brings one project's watcher in line with its settings and lease. Serialised per project. `mayTake`: try to take
   * its lease when nobody holds it (a round whose counts say every lease is held passes false).
   */
  private reconcile(projectId: string, mayTake: boolean): Promise<void> {
    return this.queue
      .run(projectId, async () => {
        if (this.closing) return;
        const settings = this.replica.get(projectId);
        const current = this.watchers.get(projectId);
        if (!isWatchable(settings)) {
          await this.giveUp(projectId, 'the channel is disabled or has no IMAP settings');
          return;
        }
        if (!(await this.holdOrTake(projectId, mayTake))) {
          if (current) await this.stopWatcher(projectId, 'another replica holds its lease');
          return;
        }
        if (current?.revision === settings.revision) return;
        if (current) await this.stopWatcher(projectId, `its settings changed (revision ${settings.revision})`);
        this.startWatcher(settings);
      })
      .catch((error: unknown) => this.logger.warn(`Mailbox ${projectId}: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Whether this replica holds the mailbox's lease, taking it when free and this replica is below its share. As many
   * attempts run at once as the share has room for (1,000 mailboxes of a lone replica are taken in one go); near the
   * share an attempt waits for the running ones, since most of them fail while other replicas hold those leases.
   */
  private async holdOrTake(projectId: string, mayTake: boolean): Promise<boolean> {
    if (this.leases.holds(projectId)) return true;
    if (!mayTake) return false;
    while (this.leases.heldProjects().length + this.acquiring >= this.share) {
      if (this.acquiring === 0 || this.closing) return false;
      await new Promise<void>((resolve) => this.attemptEnded.add(resolve));
    }
    this.acquiring += 1;
    try {
      return await this.leases.tryAcquire(projectId);
    } finally {
      this.acquiring -= 1;
      const waiting = [...this.attemptEnded];
      this.attemptEnded.clear();
      for (const wake of waiting) wake();
    }
  }

  private recountShare(): void {
    this.share = fairShare(this.replica.all().filter(isWatchable).length, this.replicas);
  }

  private async handOverExcess(): Promise<void> {
    const held = this.leases.heldProjects().map((projectId) => ({ projectId, busy: this.watchers.get(projectId)?.snapshot().state === 'importing' }));
    const handOver = mailboxesToHandOver(held, this.share);
    if (handOver.length === 0) return;
    this.logger.log(`Handing over ${handOver.length} of ${held.length} mailboxes: ${this.replicas} replicas share them`);
    await Promise.all(
      handOver.map((projectId) =>
        this.queue.run(projectId, () => this.giveUp(projectId, 'handed over to a replica with fewer mailboxes')),
      ),
    );
  }

  private startWatcher(settings: WatchableChannel): void {
    // The lease may have been given up while this project's task waited (renewLeases does not queue).
    if (!this.leases.holds(settings.projectId)) return;
    const watcher = new MailboxWatcher(settings, {
      importer: this.importer,
      checkpoints: this.checkpoints,
      credential: () => this.credentials.of(settings),
      pollIntervalMs: this.options.pollIntervalMs,
      reportStatus: (status) => this.reports.report(status),
      authFailuresBeforePause: this.options.authFailuresBeforePause,
      pauses: this.pauses,
    });
    this.watchers.set(settings.projectId, watcher);
    this.logger.log(`Watching mailbox of project ${settings.projectId} (revision ${settings.revision})`);
    watcher.start();
  }

  /** Stops watching (the checkpoint keeps its place) and releases the lease, so another replica may take it at once. */
  private async giveUp(projectId: string, reason: string): Promise<void> {
    await this.stopWatcher(projectId, reason);
    await this.leases.release(projectId);
  }

  private async stopWatcher(projectId: string, reason: string): Promise<void> {
    const watcher = this.watchers.get(projectId);
    if (!watcher) return;
    this.watchers.delete(projectId);
    this.logger.log(`Stopped watching mailbox of project ${projectId}: ${reason}`);
    await watcher.stop();
  }

  /**
   * The replica sets up its ready promise in its own onApplicationBootstrap. Nest runs the messaging module's hooks
   * before ours today; this does not depend on it.
   */
  private async replicaReady(): Promise<void> {
    while (!this.closing) {
      const ready = this.replica.whenReady() as Promise<void> | undefined;
      if (ready) return ready;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
