import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MailAddress, MailKind, MessageAuthor, MessageDirection } from '@ensoras/contracts';

/**
 * This service's copy of every ticket message (ticketing owns the original): the conversation a reply is written
 * from. Keyed by ticketing's message id, so a redelivered event is recorded once.
 */
@Entity({ name: 'conversation_message' })
@Index('conversation_message_ticket', ['projectId', 'ticketId', 'createdAt'])
export class ConversationMessage {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  @PrimaryColumn('text', { name: 'message_id' }) messageId!: string;
  @Column('text', { name: 'ticket_id' }) ticketId!: string;
  @Column('text') direction!: MessageDirection;
  @Column('text') author!: MessageAuthor;
  @Column('jsonb', { nullable: true }) from!: MailAddress | null;
  @Column('text') subject!: string;
  /** The ticket's subject when the message arrived: what a reply refers to. */
  @Column('text', { name: 'ticket_subject' }) ticketSubject!: string;
  @Column('text') text!: string;
  /** The new part of the message, without quoted history; null for messages recorded before it was known. */
  @Column('text', { name: 'new_text', nullable: true }) newText!: string | null;
  @Column('text') kind!: MailKind;
  /** When ticketing recorded the message; orders the conversation. */
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  /** Order of arrival here: breaks ties between messages recorded in the same millisecond. */
  @Column({ type: 'bigint', insert: false, update: false, select: false }) arrival!: string;
}
