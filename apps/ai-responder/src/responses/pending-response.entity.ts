import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PENDING_RESPONSE_STATUSES = ['scheduled', 'generating', 'proposed', 'cancelled', 'failed'] as const;
export type PendingResponseStatus = (typeof PENDING_RESPONSE_STATUSES)[number];
/** A ticket has at most one response in these states (unique partial index). */
export const OPEN_STATUSES: readonly PendingResponseStatus[] = ['scheduled', 'generating'];

/**
 * A reply that is due at a time: a row, not a timer, so a restart (or another replica) picks it up. Its id is the
 * responseId of the reply.proposed event, which ticketing uses to record the reply once.
 */
@Entity({ name: 'pending_response' })
@Index('pending_response_one_open_per_ticket', ['projectId', 'ticketId'], {
  unique: true,
  where: `"status" IN ('scheduled', 'generating')`,
})
export class PendingResponse {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  @Column('text', { name: 'ticket_id' }) ticketId!: string;
  /** Ticketing's ids of the customer messages this reply answers, in arrival order. */
  @Column('jsonb', { name: 'answers_message_ids' }) answersMessageIds!: string[];
  /** Lower-cased address the reply goes to, for the loop breaker's per-address count; null in rows from before. */
  @Column('text', { name: 'customer_address', nullable: true }) customerAddress!: string | null;
  @Column('timestamptz', { name: 'due_at' }) dueAt!: Date;
  @Column('text') status!: PendingResponseStatus;
  /** Generation attempts so far, counted when a row is claimed. */
  @Column('int', { default: 0 }) attempts!: number;
  /** While generating: when the claim lapses and another replica may take the row over. */
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
