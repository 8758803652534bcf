import { Injectable, Logger } from '@nestjs/common';
import { MAILBOX_STATUS_BUCKET, type EmailChannelStatusView, type MailboxStatusRecord } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import { ProjectChanges } from '../projects/project-changes.service.js';
import { requireChannel } from './email-channel.service.js';
import { channelStatusView } from './channel-status.js';

/** Reads what mail-ingest reports of a project's mailbox (KV `mailbox-status`, written by mail-ingest only). */
@Injectable()
export class ChannelStatusService {
  private readonly logger = new Logger(ChannelStatusService.name);

  constructor(
    private readonly changes: ProjectChanges,
    private readonly buckets: KeyValueBuckets,
  ) {}

  /** 404 while the channel was never configured. */
  async status(projectId: string): Promise<EmailChannelStatusView> {
    const { project, channel } = await this.changes.read(projectId);
    const configured = requireChannel(channel, projectId);
    const pauses = { imap: configured.imapPause, smtp: configured.smtpPause };
    return channelStatusView(projectId, { enabled: configured.enabled, revision: project.revision, pauses }, await this.report(projectId));
  }

  private async report(projectId: string): Promise<MailboxStatusRecord | null> {
    const entry = await (await this.buckets.bucket(MAILBOX_STATUS_BUCKET)).get(projectId);
    if (!entry || entry.operation !== 'PUT') return null;
    try {
      return entry.json<MailboxStatusRecord>();
    } catch {
      this.logger.warn(`The mailbox status of ${projectId} is not JSON; shown as not reported`);
      return null;
    }
  }
}
