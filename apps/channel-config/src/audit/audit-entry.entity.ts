import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const AUDIT_ACTIONS = [
  'configuration.updated',
  'email_channel.configured',
  'email_channel.updated',
  'email_channel.enabled',
  'email_channel.disabled',
  /** Passwords sealed again under the current SECRETS_KEY (rotation or upgrade); their values did not change. */
  'email_channel.passwords_resealed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change of a project's settings: which fields changed, never their values (passwords least of all). */
@Entity({ name: 'audit_entry' })
@Index('audit_entry_project_at', ['projectId', 'at'])
export class AuditEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column('text') action!: AuditAction;
  /** Dotted paths such as `imap.port` or `imap.password`. */
  @Column({ name: 'changed_fields', type: 'text', array: true }) changedFields!: string[];
  /** The project revision this change produced. */
  @Column('int') revision!: number;
  @Column('timestamptz') at!: Date;
}
