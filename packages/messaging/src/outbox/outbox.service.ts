import { Injectable } from '@nestjs/common';
import { subjectOf, type EventEnvelope } from '@ensoras/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxRelay } from './outbox.relay.js';
import { withTraceContext } from '../telemetry/event-tracing.js';

/** A row the relay moved aside, as the admin API lists it (no payload: it may hold mail content). */
export interface ParkedOutboxRow {
  id: string;
  subject: string;
  type: string;
  projectId: string;
  sizeBytes: number;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  parkedAt: string;
}

/** Puts events into the outbox inside the transaction it was handed with. */
export type Enqueue = (...envelopes: EventEnvelope[]) => Promise<void>;

export interface OutboxStats {
  /** Rows waiting to be published (parked rows not included). */
  pending: number;
  parked: number;
  /** Age of the oldest pending row; 0 when none waits. */
  oldestPendingAgeSeconds: number;
}

@Injectable()
export class Outbox {
  /** Transactions (by their manager) that put rows into the outbox: their commit kicks the relay. */
  private readonly enqueuedIn = new WeakSet<EntityManager>();

  constructor(
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Runs `work` in one transaction and, once it has committed, publishes what it put into the outbox without waiting
   * for the relay's next poll. Events go in through `enqueue`, or through add() / addOrRepublish() with `manager`
   * (code deeper down that is handed the manager); a transaction that enqueued nothing does not kick the relay, and
   * one that throws commits and publishes nothing. Returns what `work` returns.
   */
  async transaction<T>(work: (manager: EntityManager, enqueue: Enqueue) => Promise<T>): Promise<T> {
    let used: EntityManager | undefined;
    const result = await this.dataSource.transaction((manager) => {
      used = manager;
      return work(manager, (...envelopes) => this.add(manager, ...envelopes));
    });
    if (used && this.enqueuedIn.has(used)) this.relay.kick();
    return result;
  }

  /**
   * Call inside the transaction that makes the change; the event exists exactly when the change does. Inside
   * transaction() the relay is kicked after the commit.
   */
  async add(manager: EntityManager, ...envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    this.enqueuedIn.add(manager);
    await manager.insert(
      OutboxMessage,
      envelopes.map((envelope) => ({
        id: envelope.id,
        subject: subjectOf(envelope),
        // The trace continues from the request or event that caused it, not from the relay that publishes it later.
        envelope: withTraceContext(envelope) as OutboxMessage['envelope'] & object,
        publishedAt: null,
      })) as never,
    );
  }

  /**
   * Like add(), for an event that may have been announced before under the same id (a repeated outcome): that row is
   * put back in line, parked or not, with fresh attempts. Consumers de-duplicate it by the id.
   */
  async addOrRepublish(manager: EntityManager, envelope: EventEnvelope): Promise<void> {
    const repeated = await manager.update(
      OutboxMessage,
      { id: envelope.id },
      { publishedAt: null, parkedAt: null, nextAttemptAt: null, attempts: 0 },
    );
    if (!repeated.affected) await this.add(manager, envelope);
    else this.enqueuedIn.add(manager);
  }

  /** For rows written outside transaction(): publishes without waiting for the next poll. */
  publishSoon(): void {
    this.relay.kick();
  }

  async stats(): Promise<OutboxStats> {
    const table = this.table();
    const [pending] = await this.dataSource.query<{ count: string; oldest: string | null }[]>(
      `SELECT count(*) AS count, extract(epoch FROM now() - min(created_at)) AS oldest
         FROM ${table} WHERE published_at IS NULL AND parked_at IS NULL`,
    );
    const [parked] = await this.dataSource.query<{ count: string }[]>(
      `SELECT count(*) AS count FROM ${table} WHERE published_at IS NULL AND parked_at IS NOT NULL`,
    );
    return {
      pending: Number(pending.count),
      parked: Number(parked.count),
      oldestPendingAgeSeconds: Math.max(0, Number(pending.oldest ?? 0)),
    };
  }

  /** Parked rows, oldest first. */
  async parked(limit = 100): Promise<ParkedOutboxRow[]> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT id, subject, envelope->>'type' AS type, envelope->>'projectId' AS project_id,
              octet_length(envelope::text) AS size_bytes, attempts, last_error, created_at, parked_at
         FROM ${this.table()} WHERE published_at IS NULL AND parked_at IS NOT NULL
        ORDER BY position LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      subject: String(row.subject),
      type: String(row.type),
      projectId: String(row.project_id),
      sizeBytes: Number(row.size_bytes),
      attempts: Number(row.attempts),
      lastError: (row.last_error as string | null) ?? null,
      createdAt: new Date(row.created_at as string).toISOString(),
      parkedAt: new Date(row.parked_at as string).toISOString(),
    }));
  }

  /**
   * Puts parked rows (one, or all when `id` is omitted) back in line with fresh attempts; returns their ids.
   * A re-driven row is published after the rows of its project that went out meanwhile.
   */
  async redrive(id?: string): Promise<string[]> {
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE ${this.table()} SET parked_at = NULL, next_attempt_at = NULL, attempts = 0
        WHERE published_at IS NULL AND parked_at IS NOT NULL ${id ? 'AND id = $1' : ''}
        RETURNING id`,
      id ? [id] : [],
    );
    if (rows.length > 0) this.relay.kick();
    return rows.map((row) => row.id);
  }

  private table(): string {
    const metadata = this.dataSource.getMetadata(OutboxMessage);
    return `"${metadata.schema}"."${metadata.tableName}"`;
  }
}
