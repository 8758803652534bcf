import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last pause of a project's mailbox: its watcher stopped logging in after repeated authentication failures with
 * the settings of `revision`. Kept here, not only in the `mailbox-status` bucket: written in the transaction that
 * puts channel.email.paused into the outbox (recorded and announced together, exactly once), and read by every
 * watcher before it logs in, so neither a restart nor another replica taking the lease tries that revision again.
 * A watcher with a newer revision ignores it.
 */
@Entity({ name: 'mailbox_pause' })
export class MailboxPause {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  @Column('int') revision!: number;
  @Column('text') reason!: string;
  @Column('int') failures!: number;
  @Column('timestamptz', { name: 'paused_at' }) pausedAt!: Date;
}
