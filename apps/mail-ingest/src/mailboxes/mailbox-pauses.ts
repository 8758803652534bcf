import { Injectable, Logger } from '@nestjs/common';
import { channelPausedEvent, type ChannelPausedPayload } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { DataSource } from 'typeorm';
import { MailboxPause } from './mailbox-pause.entity.js';

/** What a watcher needs to know of a pause. */
export interface RecordedPause {
  reason: string;
  pausedAt: Date;
}

/** The durable record of paused mailboxes (see MailboxPause), and channel.email.paused with it. */
@Injectable()
export class MailboxPauses {
  private readonly logger = new Logger(MailboxPauses.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** The pause that holds for a watcher of `revision`: one recorded at that revision (or a newer one). */
  async find(projectId: string, revision: number): Promise<RecordedPause | null> {
    const pause = await this.dataSource.manager.findOneBy(MailboxPause, { projectId });
    return pause && pause.revision >= revision ? { reason: pause.reason, pausedAt: pause.pausedAt } : null;
  }

  /**
   * Records the pause and puts its event into the outbox, in one transaction. A pause of this revision recorded
   * before (another replica, a retry) changes nothing and announces nothing again.
   */
  async pause(payload: ChannelPausedPayload & { direction: 'imap' }): Promise<void> {
    const recorded = await this.outbox.transaction(async (manager, enqueue) => {
      const { schema, tableName } = manager.connection.getMetadata(MailboxPause);
      // INSERT answers its RETURNING rows (UPDATE and DELETE would answer [rows, count]).
      const rows = await manager.query<unknown[]>(
        `INSERT INTO "${schema}"."${tableName}" AS pause (project_id, revision, reason, failures, paused_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (project_id) DO UPDATE
           SET revision = excluded.revision, reason = excluded.reason, failures = excluded.failures, paused_at = excluded.paused_at
           WHERE pause.revision < excluded.revision
         RETURNING project_id`,
        [payload.projectId, payload.revision, payload.reason, payload.failures, new Date(payload.pausedAt)],
      );
      if (rows.length === 0) return false;
      await enqueue(channelPausedEvent(payload));
      return true;
    });
    if (!recorded) return;
    this.logger.warn(`Mailbox of project ${payload.projectId} paused at revision ${payload.revision} after ${payload.failures} failed logins: ${payload.reason}`);
  }
}
