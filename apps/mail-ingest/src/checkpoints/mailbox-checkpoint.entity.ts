import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-number.transformer.js';

/**
 * How far one mailbox is imported (within uidValidity): every UID up to lastUid has its event stored; of the history
 * below where watching began (backfillEnd), every UID up to backfillUid. The backfill columns are null when no
 * history is left to import.
 */
@Entity('mailbox_checkpoint')
export class MailboxCheckpoint {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @PrimaryColumn({ name: 'mailbox', type: 'text' }) mailbox!: string;
  @Column({ name: 'uid_validity', type: 'text' }) uidValidity!: string;
  @Column({ name: 'last_uid', type: 'bigint', transformer: bigintAsNumber }) lastUid!: number;
  @Column({ name: 'backfill_uid', type: 'bigint', nullable: true, transformer: bigintAsNumber }) backfillUid!: number | null;
  @Column({ name: 'backfill_end', type: 'bigint', nullable: true, transformer: bigintAsNumber }) backfillEnd!: number | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
