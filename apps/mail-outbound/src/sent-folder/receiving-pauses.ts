import { Injectable, Logger } from '@nestjs/common';
import { MAILBOX_STATUS_BUCKET, type MailboxStatusRecord } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';

/**
 * Whether mail-ingest stopped logging in to a project's mailbox after rejected logins: its `mailbox-status` record
 * says `paused` for these settings (or newer ones). Sent copies log in to the same mailbox with the same credentials,
 * so while receiving is paused they wait instead of adding failed logins to an account the provider may lock. Best
 * effort: a record that cannot be read counts as no pause, and the login itself then tells.
 */
@Injectable()
export class ReceivingPauses {
  private readonly logger = new Logger(ReceivingPauses.name);

  constructor(private readonly buckets: KeyValueBuckets) {}

  /** Why receiving is paused for settings at `revision`, or null when it is not (or nobody can tell). */
  async reasonAt(projectId: string, revision: number): Promise<string | null> {
    try {
      const entry = await (await this.buckets.bucket(MAILBOX_STATUS_BUCKET)).get(projectId);
      if (!entry || entry.operation !== 'PUT') return null;
      const record = entry.json<MailboxStatusRecord>();
      if (record.state !== 'paused' || record.revision < revision) return null;
      return record.lastError ?? 'the IMAP login was rejected';
    } catch (error) {
      this.logger.warn(`Whether receiving is paused for ${projectId} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
}
