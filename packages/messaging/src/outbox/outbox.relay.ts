import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { describeError } from '../consuming/event-failure.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.tokens.js';
import { EventPublisher } from '../publishing/event-publisher.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { DEFAULT_OUTBOX_RETRY, decidePublishFailure, type OutboxRetryPolicy, type PublishFailureDecision } from './outbox-parking.js';
import { BUSY_POLL_MS, type DrainOutcome, nextPollInterval, pollDelay } from './relay-poll-schedule.js';

const BATCH_SIZE = 100;

/**
 * Publishes outbox rows in order. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work
 * without publishing one row twice at the same time; a crash between publish and mark re-publishes the same
 * Nats-Msg-Id, which JetStream drops as a duplicate.
 *
 * A row that fails is never allowed to stop the others: its failure is written in the batch's own transaction
 * (which then commits), the rows of its project wait behind it during its back-off so that a project's events
 * keep their order, and every other project goes on. A row that can never be published, or failed
 * `maxAttempts` times, is parked: listed and re-driven through the admin API.
 *
 * A commit through Outbox kicks the relay at once; between kicks it polls for what no kick announced, every 500 ms
 * while it finds rows and less often while it finds none, at least every IDLE_POLL_MS (relay-poll-schedule.ts).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly policy: OutboxRetryPolicy;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private pausedSince: number | undefined;
  private pollIntervalMs = BUSY_POLL_MS;
  /** The earliest retry this relay recorded that no poll has come for yet. */
  private retryDueAt: number | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
  ) {
    this.policy = { ...DEFAULT_OUTBOX_RETRY, ...options.outboxRetry };
  }

  onApplicationBootstrap(): void {
    this.kick();
  }

  /** Before the database and NATS connections close (their own hooks run after this one). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Drains now (or right after the drain under way), then polls on the schedule. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    const startedAt = Date.now();
    if (this.retryDueAt !== undefined && this.retryDueAt <= startedAt) this.retryDueAt = undefined;
    this.running = this.drainOnce()
      .catch((error: unknown): DrainOutcome => {
        this.notePause(error);
        return { claimed: 0, paused: true };
      })
      .then((outcome) => {
        this.pollIntervalMs = nextPollInterval(this.pollIntervalMs, outcome);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else if (!this.stopped) {
          this.timer = setTimeout(() => this.kick(), pollDelay(this.pollIntervalMs, Date.now(), this.retryDueAt));
        }
      });
  }

  /** Publishes what is due until nothing is left or NATS is unavailable; returns how many rows were claimed. */
  async drain(): Promise<number> {
    return (await this.drainOnce()).claimed;
  }

  private async drainOnce(): Promise<DrainOutcome> {
    let total = 0;
    for (;;) {
      const { claimed, paused } = await this.publishBatch();
      total += claimed;
      if (paused || claimed < BATCH_SIZE) return { claimed: total, paused };
    }
  }

  /**
   * Publishes the claimed rows with every acknowledgement in flight at once: the publications are issued in row
   * order, synchronously, on one connection, so the stream stores them in row order (a connection that breaks
   * mid-batch loses a suffix, never a row in the middle). The outcomes are then read in row order, as if the
   * rows had been published one by one: the published rows are marked in one UPDATE, a failed row is recorded
   * and holds back the rest of its project in this batch, an outage pauses the batch without counting attempts.
   */
  private publishBatch(): Promise<DrainOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.claimDueRows(manager);
      const outcomes = await Promise.all(rows.map((row) => settle(this.publisher.publish(row.envelope, row.subject))));
      const published: OutboxMessage[] = [];
      /** Projects whose row failed in this batch, with what was decided for that row. */
      const held = new Map<string, PublishFailureDecision['action']>();
      let paused = false;
      for (const [index, row] of rows.entries()) {
        const outcome = outcomes[index];
        const project = projectOf(row.subject);
        if (outcome.ok) {
          // Stored, so marked. Behind a parked row this is the order the next batch would have given it; behind a
          // row that waits for a retry (a server-side failure of that row alone, rare) its project's order is lost.
          if (held.get(project) === 'retry') {
            this.logger.warn(`Outbox row ${row.id} (${row.subject}) was stored ahead of an earlier row of its project that failed`);
          }
          published.push(row);
          continue;
        }
        // Behind a failed row of its project, or after an outage: not tried as far as its attempts go.
        if (paused || held.has(project)) continue;
        const action = await this.recordFailure(manager, row, outcome.error);
        paused = action === 'pause';
        held.set(project, action);
      }
      await this.markPublished(manager, published);
      if (!paused) this.noteResumed();
      return { claimed: rows.length, paused };
    });
  }

  private async markPublished(manager: EntityManager, rows: OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    await manager
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({ publishedAt: new Date(), attempts: () => 'attempts + 1', nextAttemptAt: null })
      .whereInIds(rows.map((row) => row.id))
      .execute();
  }

  /**
   * The oldest unpublished rows that are due, except those behind an earlier row of the same project that waits
   * for its retry (the project is the subject's second token).
   */
  private claimDueRows(manager: EntityManager): Promise<OutboxMessage[]> {
    const table = manager.connection.getMetadata(OutboxMessage);
    const quoted = `"${table.schema}"."${table.tableName}"`;
    return manager
      .createQueryBuilder(OutboxMessage, 'o')
      .where('o.published_at IS NULL AND o.parked_at IS NULL')
      .andWhere('(o.next_attempt_at IS NULL OR o.next_attempt_at <= now())')
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM ${quoted} w WHERE w.published_at IS NULL AND w.parked_at IS NULL ` +
          `AND w.next_attempt_at > now() AND w.position < o.position ` +
          `AND split_part(w.subject, '.', 2) = split_part(o.subject, '.', 2))`,
      )
      .orderBy('o.position', 'ASC')
      .limit(BATCH_SIZE)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /** Writes what happened to the row; `pause` when NATS is unavailable and the batch should stop. */
  private async recordFailure(manager: EntityManager, row: OutboxMessage, error: unknown): Promise<PublishFailureDecision['action']> {
    const lastError = describeError(error).slice(0, 1_000);
    const decision = decidePublishFailure(error, row.attempts, row.subject, this.policy);
    switch (decision.action) {
      case 'pause':
        await manager.update(OutboxMessage, { id: row.id }, { lastError });
        this.notePause(error);
        break;
      case 'park':
        await manager.update(OutboxMessage, { id: row.id }, { attempts: decision.attempts, lastError, parkedAt: new Date(), nextAttemptAt: null });
        this.logger.error(`Outbox row ${row.id} (${row.subject}) parked after ${decision.attempts} attempt(s): ${lastError}`);
        break;
      case 'retry': {
        const dueAt = Date.now() + decision.delayMs;
        await manager.update(OutboxMessage, { id: row.id }, { attempts: decision.attempts, lastError, nextAttemptAt: new Date(dueAt) });
        this.noteRetryDue(dueAt);
        this.logger.warn(`Outbox row ${row.id} (${row.subject}) failed (attempt ${decision.attempts}), retry in ${decision.delayMs} ms: ${lastError}`);
        break;
      }
    }
    return decision.action;
  }

  /** An idle relay polls seldom: the row is polled for when it is due, not up to IDLE_POLL_MS later. */
  private noteRetryDue(at: number): void {
    if (this.retryDueAt === undefined || at < this.retryDueAt) this.retryDueAt = at;
  }

  /** Logged once per outage, not at every poll. */
  private notePause(error: unknown): void {
    if (this.pausedSince !== undefined) return;
    this.pausedSince = Date.now();
    this.logger.warn(`Outbox relay paused until NATS and the database answer: ${describeError(error)}`);
  }

  private noteResumed(): void {
    if (this.pausedSince === undefined) return;
    this.logger.log(`Outbox relay resumed after ${Math.round((Date.now() - this.pausedSince) / 1000)} s`);
    this.pausedSince = undefined;
  }
}

type Settled = { ok: true } | { ok: false; error: unknown };

function settle(publication: Promise<unknown>): Promise<Settled> {
  return publication.then(
    () => ({ ok: true }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );
}

/** Subjects are `<area>.<projectId>.<event>`. */
function projectOf(subject: string): string {
  return subject.split('.')[1] ?? '';
}
