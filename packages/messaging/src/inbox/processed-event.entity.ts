import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One row per event a consumer has handled: the key that makes at-least-once delivery effectively once. */
@Entity({ name: 'processed_event' })
export class ProcessedEvent {
  @PrimaryColumn('text') consumer!: string;
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
}
