import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../checkpoints/bigint-number.transformer.js';

/** A received mail that could not be turned into a mail.received event; its raw bytes stay in the object store. */
@Entity('quarantined_mail')
export class QuarantinedMail {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @PrimaryColumn({ name: 'uid_validity', type: 'text' }) uidValidity!: string;
  @PrimaryColumn({ name: 'uid', type: 'bigint', transformer: bigintAsNumber }) uid!: number;
  @Column({ name: 'reason', type: 'text' }) reason!: string;
  @Column({ name: 'raw_object_key', type: 'text' }) rawObjectKey!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
