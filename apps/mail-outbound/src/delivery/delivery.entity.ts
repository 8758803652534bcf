import type { EventEnvelope, MailSendRequestedPayload } from '@ensoras/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SentCopyState } from '../sent-folder/sent-copy-decision.js';

/**
 * `held`: parked here with its request (SMTP paused for the project, a login rejected, or an earlier reply of its
 * ticket parked): sent by ParkedReplies, in ticket order, once the project's SMTP may log in again.
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'retrying', 'held', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One outgoing mail and where its delivery stands. The row is written before the SMTP transaction starts
 * (`sending`) and settled after it (`sent`, `retrying`, `failed`, `held`), so a restart can tell a send that may have
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
  /**
   * The send request, kept while the mail is parked here instead of in JetStream (acknowledged there): from the moment
   * it is held until it is settled `sent` or `failed`. Non-null marks the ticket's later replies to wait behind it.
   */
  @Column('jsonb', { nullable: true }) request!: EventEnvelope<MailSendRequestedPayload> | null;
  /** Attempts whose login was rejected: they do not use up the mail's MAX_SEND_ATTEMPTS, which are for the mail itself. */
  @Column('int', { name: 'auth_failures', default: 0 }) authFailures!: number;
  /** A held mail whose last try failed is not tried again before this. */
  @Column('timestamptz', { name: 'retry_at', nullable: true }) retryAt!: Date | null;
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
