import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-number.transformer.js';

/** How far one mailbox is imported: every UID up to lastUid (within uidValidity) has its event stored. */
@Entity('mailbox_checkpoint')
export class MailboxCheckpoint {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @PrimaryColumn({ name: 'mailbox', type: 'text' }) mailbox!: string;
  @Column({ name: 'uid_validity', type: 'text' }) uidValidity!: string;
  @Column({ name: 'last_uid', type: 'bigint', transformer: bigintAsNumber }) lastUid!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
