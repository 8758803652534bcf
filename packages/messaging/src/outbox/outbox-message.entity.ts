import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventEnvelope } from '@ensoras/contracts';

/** An event written in the same transaction as the state change it announces; the relay publishes it. */
@Entity({ name: 'outbox_message' })
@Index('outbox_message_pending', ['position'], { where: '"published_at" IS NULL AND "parked_at" IS NULL' })
@Index('outbox_message_parked', ['position'], { where: '"published_at" IS NULL AND "parked_at" IS NOT NULL' })
export class OutboxMessage {
  /** The envelope id, reused as Nats-Msg-Id so a re-publish after a crash is de-duplicated by JetStream. */
  @PrimaryColumn('uuid') id!: string;
  /**
   * Publication order. Not created_at: now() is the transaction's start, so the events of one transaction would
   * tie; the identity follows insertion order, also within one multi-row insert.
   */
  @Column({ type: 'bigint', insert: false, update: false }) position!: string;
  @Column('text') subject!: string;
  @Column('jsonb') envelope!: EventEnvelope;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt!: Date | null;
  /** Failed publications of this row; NATS outages are not the row's fault and are not counted. */
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  /** Set when the row cannot be published (too large, invalid subject, too many failures): the relay skips it. */
  @Column({ name: 'parked_at', type: 'timestamptz', nullable: true }) parkedAt!: Date | null;
  /** After a failure, the row (and the rows of its project after it) wait until then. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
}
