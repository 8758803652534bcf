import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditAction, ChangeActor } from '@ensoras/contracts';

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
  /** Who made the change (ChangeActor): `admin`, `token` (with its id and name at the time) or `system`. */
  @Column({ name: 'actor_kind', type: 'text' }) actorKind!: ChangeActor['kind'];
  @Column({ name: 'actor_id', type: 'text', nullable: true }) actorId!: string | null;
  @Column({ name: 'actor_name', type: 'text', nullable: true }) actorName!: string | null;
}
