import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A ticket a human has taken over: the AI does not answer it until ticketing says it left needs_human (an agent gave it
 * back to the AI, or closed it); then the row is deleted.
 */
@Entity({ name: 'handed_off_ticket' })
export class HandedOffTicket {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  @PrimaryColumn('text', { name: 'ticket_id' }) ticketId!: string;
  @Column('text') reason!: string;
  @Column({ type: 'timestamptz', name: 'created_at', insert: false, update: false }) createdAt!: Date;
}
