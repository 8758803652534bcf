import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SentCopyState } from '../sent-folder/sent-copy-decision.js';

export const DELIVERY_STATUSES = ['queued', 'sending', 'retrying', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One outgoing mail and where its delivery stands. The row is written before the SMTP transaction starts
 * (`sending`) and settled after it (`sent`, `retrying`, `failed`), so a restart can tell a send that may have
 * happened from one that surely did not.
 */
@Entity({ name: 'delivery' })
export class Delivery {
  /** Ticketing's id of the outgoing message: the idempotency key of a send. */
  @PrimaryColumn('text', { name: 'outbound_message_id' }) outboundMessageId!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  @Column('text', { name: 'ticket_id' }) ticketId!: string;
  /** The Message-ID the mail carries, as ticketing recorded it. */
  @Column('text', { name: 'message_id' }) messageId!: string;
  @Column('text') status!: DeliveryStatus;
  /** SMTP transactions started for this mail. */
  @Column('int', { default: 0 }) attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  /** Stable code of the last failure (e.g. auth_failed, delivery_uncertain), for MailFailed. */
  @Column('text', { name: 'failure_code', nullable: true }) failureCode!: string | null;
  /** The server's reply to the end of DATA, e.g. `250 2.0.0 Ok: queued as 4F1D`. */
  @Column('text', { name: 'smtp_response', nullable: true }) smtpResponse!: string | null;
  /** When the current (or last) SMTP transaction was taken; tells an in-flight send from a crashed one. */
  @Column('timestamptz', { name: 'claimed_at', nullable: true }) claimedAt!: Date | null;
  /**
   * When the current attempt had written the whole mail and was about to send the dot that ends DATA. Null: the
   * attempt (if it died) never got that far, so the server kept nothing and the mail can be sent again.
   */
  @Column('timestamptz', { name: 'handed_over_at', nullable: true }) handedOverAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;

  /** The copy of the sent mail in the mailbox's Sent folder (see SentCopyState); null before the mail is sent. */
  @Column('text', { name: 'sent_copy', nullable: true }) sentCopy!: SentCopyState | null;
  /** The exact bytes sent over SMTP, kept only while the copy is pending. Not loaded unless asked for. */
  @Column('bytea', { name: 'sent_copy_raw', nullable: true, select: false }) sentCopyRaw!: Buffer | null;
  /** Appends tried and failed. */
  @Column('int', { name: 'sent_copy_attempts', default: 0 }) sentCopyAttempts!: number;
  /** When a pending copy is due (again). */
  @Column('timestamptz', { name: 'sent_copy_next_at', nullable: true }) sentCopyNextAt!: Date | null;
  /** Until when a replica holds the pending copy (`sent_copy_claim` its token); a lapsed lease frees it. */
  @Column('timestamptz', { name: 'sent_copy_lease_until', nullable: true }) sentCopyLeaseUntil!: Date | null;
  @Column('text', { name: 'sent_copy_claim', nullable: true }) sentCopyClaim!: string | null;
  /** Why it was skipped, the last error of a pending or failed one, or the folder it went to. */
  @Column('text', { name: 'sent_copy_detail', nullable: true }) sentCopyDetail!: string | null;
  /** When the copy reached its final state. */
  @Column('timestamptz', { name: 'sent_copy_settled_at', nullable: true }) sentCopySettledAt!: Date | null;
}
