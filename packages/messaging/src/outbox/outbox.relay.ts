import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { describeError } from '../consuming/event-failure.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.tokens.js';
import { EventPublisher } from '../publishing/event-publisher.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { DEFAULT_OUTBOX_RETRY, decidePublishFailure, type OutboxRetryPolicy } from './outbox-parking.js';

const POLL_INTERVAL_MS = 500;
const BATCH_SIZE = 100;

interface BatchResult {
  claimed: number;
  /** NATS is unavailable: stop until the next poll. */
  paused: boolean;
}

/**
 * Publishes outbox rows in order. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work
 * without publishing one row twice at the same time; a crash between publish and mark re-publishes the same
 * Nats-Msg-Id, which JetStream drops as a duplicate.
 *
 * A row that fails is never allowed to stop the others: its failure is written in the batch's own transaction
 * (which then commits), the rows of its project wait behind it during its back-off so that a project's events
 * keep their order, and every other project goes on. A row that can never be published, or failed
 * `maxAttempts` times, is parked: listed and re-driven through the admin API.
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
  ) {
    this.policy = { ...DEFAULT_OUTBOX_RETRY, ...options.outboxRetry };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_INTERVAL_MS);
    this.kick();
  }

  /** Before the database and NATS connections close (their own hooks run after this one). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error: unknown) => this.notePause(error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Publishes what is due until nothing is left or NATS is unavailable; returns how many rows were claimed. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, paused } = await this.publishBatch();
      total += claimed;
      if (paused || claimed < BATCH_SIZE) return total;
    }
  }

  private publishBatch(): Promise<BatchResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.claimDueRows(manager);
      const waiting = new Set<string>();
      for (const row of rows) {
        const project = projectOf(row.subject);
        if (waiting.has(project)) continue;
        try {
          await this.publisher.publish(row.envelope, row.subject);
        } catch (error) {
          const paused = await this.recordFailure(manager, row, error);
          if (paused) return { claimed: rows.length, paused: true };
          waiting.add(project);
          continue;
        }
        await manager.update(OutboxMessage, { id: row.id }, { publishedAt: new Date(), attempts: row.attempts + 1, nextAttemptAt: null });
      }
      this.noteResumed();
      return { claimed: rows.length, paused: false };
    });
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

  /** Writes what happened to the row; true when NATS is unavailable and the batch should stop. */
  private async recordFailure(manager: EntityManager, row: OutboxMessage, error: unknown): Promise<boolean> {
    const lastError = describeError(error).slice(0, 1_000);
    const decision = decidePublishFailure(error, row.attempts, row.subject, this.policy);
    switch (decision.action) {
      case 'pause':
        await manager.update(OutboxMessage, { id: row.id }, { lastError });
        this.notePause(error);
        return true;
      case 'park':
        await manager.update(OutboxMessage, { id: row.id }, { attempts: decision.attempts, lastError, parkedAt: new Date(), nextAttemptAt: null });
        this.logger.error(`Outbox row ${row.id} (${row.subject}) parked after ${decision.attempts} attempt(s): ${lastError}`);
        return false;
      case 'retry':
        await manager.update(
          OutboxMessage,
          { id: row.id },
          { attempts: decision.attempts, lastError, nextAttemptAt: new Date(Date.now() + decision.delayMs) },
        );
        this.logger.warn(`Outbox row ${row.id} (${row.subject}) failed (attempt ${decision.attempts}), retry in ${decision.delayMs} ms: ${lastError}`);
        return false;
    }
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

/** Subjects are `<area>.<projectId>.<event>`. */
function projectOf(subject: string): string {
  return subject.split('.')[1] ?? '';
}
