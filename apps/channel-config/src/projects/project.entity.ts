import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A project as channel-config knows it: the communication style and the revision that every change of the project's
 * settings (style or email channel) increases, so consumers of the snapshot can tell a newer copy from an older one.
 */
@Entity({ name: 'project' })
export class ProjectEntity {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ type: 'int', default: 0 }) revision!: number;
  @Column({ name: 'communication_style', type: 'text', default: '' }) communicationStyle!: string;
  /** When the communication style was last set; null while it never was. */
  @Column({ name: 'configuration_updated_at', type: 'timestamptz', nullable: true }) configurationUpdatedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** When anything of the project last changed: the snapshot's updatedAt. */
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
