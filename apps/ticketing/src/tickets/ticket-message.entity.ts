import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AttachmentMeta, DeliveryStatus, MailAddress, MailKind, MessageAuthor, MessageDirection, ReplySource } from '@ensoras/contracts';

/** One mail of a ticket: received from the mailbox, or written by us and handed to mail-outbound. */
@Entity({ name: 'ticket_message' })
export class TicketMessage {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  @Column('text') direction!: MessageDirection;
  @Column('text') author!: MessageAuthor;
  @Column('jsonb', { name: 'from', nullable: true }) from!: MailAddress | null;
  @Column('jsonb', { name: 'to' }) to!: MailAddress[];
  @Column('jsonb') cc!: MailAddress[];
  /** Kept so that our answer goes where the customer asked answers to go. */
  @Column('jsonb', { name: 'reply_to' }) replyTo!: MailAddress[];
  @Column('text') subject!: string;
  @Column('text') text!: string;
  /** The new part of a reply without the quoted history (what the AI reads); the whole text for our own replies. */
  @Column('text', { name: 'new_text' }) newText!: string;
  /** Sanitised; inline images point at `ensoras-attachment:<index>`, turned into API links when shown. */
  @Column('text', { nullable: true }) html!: string | null;
  /** Metadata only; the content is read from the raw mail on request. Empty for mail over the size limit. */
  @Column('jsonb') attachments!: AttachmentMeta[];
  /** Something an agent should know, e.g. that the mail was over the size limit. */
  @Column('text', { nullable: true }) note!: string | null;
  /** The received mail's Date header: when the sender wrote it. */
  @Column({ type: 'timestamptz', nullable: true }) date!: Date | null;
  /** Angle-bracketed; unique per project, which makes a re-imported mail one message. */
  @Column('text', { name: 'message_id' }) messageId!: string;
  @Column('text', { name: 'in_reply_to', nullable: true }) inReplyTo!: string | null;
  @Column('jsonb', { name: 'references' }) references!: string[];
  /**
   * `received` for received mail. Ours: `draft` (kept for an agent, never handed to mail-outbound unless an agent
   * sends it; then `queued`) or `discarded`, else `queued` → `sent` / `failed` / `bounced` as mail-outbound reports.
   */
  @Column('text', { name: 'delivery_status' }) deliveryStatus!: DeliveryStatus;
  @Column('text', { name: 'delivery_note', nullable: true }) deliveryNote!: string | null;
  @Column('text') kind!: MailKind;
  @Column('jsonb', { name: 'kind_reasons' }) kindReasons!: string[];
  /** ReplyProposed.responseId of an outgoing message; unique, so a redelivered proposal is recorded once. */
  @Column('text', { name: 'response_id', nullable: true }) responseId!: string | null;
  @Column('text', { name: 'raw_object_key', nullable: true }) rawObjectKey!: string | null;
  /**
   * The knowledge articles an AI reply was written from (ReplyProposed.sources); [] for everything else. The database
   * default is not declared here: TypeORM would read every inserted row back for it (RETURNING), and the code always
   * sets it.
   */
  @Column('jsonb') sources!: ReplySource[];
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
