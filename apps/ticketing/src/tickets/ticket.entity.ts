import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TicketStatus } from '@ensoras/contracts';

/** One conversation with one customer; its messages are TicketMessage rows. */
@Entity({ name: 'ticket' })
export class Ticket {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  /** The subject without reply prefixes, as the customer first wrote it; `(no subject)` when empty. */
  @Column('text') subject!: string;
  /** subjectThreadKey of the subject: what a prefixed reply without threading headers is matched on. */
  @Column('text', { name: 'subject_key', nullable: true }) subjectKey!: string | null;
  /** subjectThreadHash of customer address and subject key: what the subject rule looks tickets up by (indexed). */
  @Column('text', { name: 'subject_thread_hash', nullable: true }) subjectThreadHash!: string | null;
  /** Lower-cased Reply-To (or From) of the first message. */
  @Column('text', { name: 'customer_address' }) customerAddress!: string;
  @Column('text', { name: 'customer_name' }) customerName!: string;
  @Column('text') status!: TicketStatus;
  @Column('int', { name: 'message_count' }) messageCount!: number;
  /** Why the AI last handed the ticket to a human (its loop breaker, a withheld reply, an unverified sender …). */
  @Column('text', { name: 'handoff_reason', nullable: true }) handoffReason!: string | null;
  /** Set in code with millisecond precision, so a pagination cursor carries the exact value. */
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
