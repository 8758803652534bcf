import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BounceDetails, MailAddress, MailKind } from '@ensoras/contracts';

/**
 * Received mail that belongs to no ticket and must not open one: our own mail, and machine mail (bounces,
 * auto-replies, reports) that continues nothing we know. Kept so that an admin can see what arrived.
 */
@Entity({ name: 'unattached_mail' })
export class UnattachedMail {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  /** Angle-bracketed; unique per project, so a re-imported mail is kept once. */
  @Column('text', { name: 'message_id' }) messageId!: string;
  @Column('text') kind!: MailKind;
  @Column('jsonb', { name: 'kind_reasons' }) kindReasons!: string[];
  /** Why it opened no ticket. */
  @Column('text') reason!: string;
  @Column('jsonb', { nullable: true }) from!: MailAddress | null;
  @Column('jsonb') to!: MailAddress[];
  @Column('text') subject!: string;
  @Column('text') text!: string;
  @Column('jsonb', { nullable: true }) bounce!: BounceDetails | null;
  @Column('text', { name: 'raw_object_key', nullable: true }) rawObjectKey!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
