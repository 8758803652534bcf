import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventPublisher } from '../publishing/event-publisher.js';
import { OutboxMessage } from './outbox-message.entity.js';

const POLL_INTERVAL_MS = 500;
const BATCH_SIZE = 100;

/**
 * Publishes outbox rows in order. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work
 * without publishing one row twice at the same time; a crash between publish and mark re-publishes the same
 * Nats-Msg-Id, which JetStream drops as a duplicate.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

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
      .catch((error: unknown) => this.logger.warn(`Outbox relay paused: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Publishes until the outbox is empty; returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < BATCH_SIZE) return total;
    }
  }

  private publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .createQueryBuilder(OutboxMessage, 'o')
        .where('o.published_at IS NULL')
        .orderBy('o.position', 'ASC')
        .limit(BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const row of rows) {
        try {
          await this.publisher.publish(row.envelope, row.subject);
          await manager.update(OutboxMessage, { id: row.id }, { publishedAt: new Date(), attempts: row.attempts + 1 });
        } catch (error) {
          await manager.update(OutboxMessage, { id: row.id }, { attempts: row.attempts + 1, lastError: String(error).slice(0, 500) });
          throw error;
        }
      }
      return rows.length;
    });
  }
}
