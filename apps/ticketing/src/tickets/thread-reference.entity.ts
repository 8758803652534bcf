import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The threading index: every Message-ID a ticket's messages carry or name (In-Reply-To, References) points to that
 * ticket. The primary key makes the first writer of an id win; a concurrent writer of the same id fails and retries,
 * and then finds the id taken and joins that ticket: two mails of one new thread handled at once become one ticket.
 */
@Entity({ name: 'thread_reference' })
export class ThreadReference {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  @PrimaryColumn('text', { name: 'message_id' }) messageId!: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
