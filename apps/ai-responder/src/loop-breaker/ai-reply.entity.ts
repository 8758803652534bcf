import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An AI reply this service proposed: what the loop breaker counts. Written with the reply.proposed event. */
@Entity({ name: 'ai_reply' })
export class AiReply {
  @PrimaryColumn('uuid', { name: 'response_id' }) responseId!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  @Column('text', { name: 'ticket_id' }) ticketId!: string;
  /** Lower-cased address the reply went to; '' when unknown. */
  @Column('text', { name: 'customer_address' }) customerAddress!: string;
  /**
   * Whether it counts toward its ticket's and its address's loop limits: no longer once an agent gave the ticket back
   * or closed it (the project's hourly cap counts it still).
   */
  @Column('boolean', { name: 'counted', default: true }) counted!: boolean;
  /** The database's clock, like every window the loop breaker counts. */
  @Column({ type: 'timestamptz', name: 'proposed_at', insert: false, update: false }) proposedAt!: Date;
}
