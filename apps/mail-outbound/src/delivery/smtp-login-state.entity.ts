import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A project's SMTP logins: consecutive rejections at one revision of its settings and, once they reached
 * AUTH_FAILURES_BEFORE_PAUSE, when sending paused. Shared by the replicas (a replica asks here before every first
 * attempt of a mail) and kept across restarts; a newer revision of the settings makes it history.
 */
@Entity({ name: 'smtp_login_state' })
export class SmtpLoginState {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  @Column('int') revision!: number;
  @Column('int') failures!: number;
  /** Why the last login was rejected, in our words (never the server's, never a secret). */
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('timestamptz', { name: 'paused_at', nullable: true }) pausedAt!: Date | null;
}
