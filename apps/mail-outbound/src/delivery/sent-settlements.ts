import { Injectable } from '@nestjs/common';
import { Outbox } from '@ensoras/messaging';
import { quotedTable } from '@ensoras/persistence';
import { DataSource } from 'typeorm';
import { SentCopies } from '../sent-folder/sent-copies.service.js';
import { mailSentEvent, type DeliveryKeys } from './delivery-events.js';
import { Delivery } from './delivery.entity.js';
import { GroupCommits } from './group-commits.js';
import { newestRevisionPerProject } from './smtp-login-decision.js';
import { SmtpLogins } from './smtp-logins.js';
import type { SendingChannel } from './smtp-transports.js';

/** A mail the SMTP server accepted, to be settled `sent`. */
export interface SentMail {
  keys: DeliveryKeys;
  channel: SendingChannel;
  sentAt: Date;
  smtpResponse: string;
  /** The exact bytes sent, kept for the Sent folder's copy. */
  raw: Buffer;
  /** The project had rejected logins counted when the send was taken: this accepted one starts the count over. */
  loginsToReset: boolean;
}

/**
 * Sent mails settled per group: a burst's sends finish faster than one transaction per mail can commit. At most this
 * many in one transaction: one UPDATE of their rows, one INSERT of their mail.sent.
 */
const MAX_SETTLED_TOGETHER = 64;

/**
 * Step (c) for sent mail: the delivery rows settled `sent`, each mail.sent in the outbox and the project's count of
 * rejected logins started over (when there was one), in one transaction for all the mails that were accepted while the previous one
 * committed. A connection can start its next send meanwhile: the send was already handed over, so its row can only
 * be settled `sent`, and until that commits a crash leaves it `sending` with its hand-over recorded (never sent again).
 */
@Injectable()
export class SentSettlements {
  private readonly commits = new GroupCommits<SentMail>((group) => this.write(group), MAX_SETTLED_TOGETHER);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly logins: SmtpLogins,
    private readonly sentCopies: SentCopies,
  ) {}

  /** Resolves once the mail's settle has committed (and its mail.sent is handed to the outbox relay). */
  settle(mail: SentMail): Promise<void> {
    return this.commits.add(mail);
  }

  private async write(group: readonly SentMail[]): Promise<void> {
    const copies = group.map((mail) => this.sentCopies.planOnSent(mail.channel));
    await this.outbox.transaction(async (manager, enqueue) => {
      // The copy for the Sent folder is appended after this commits, from the bytes kept here (or skipped).
      await manager.query(
        `UPDATE ${quotedTable(this.dataSource, Delivery)} AS d
            SET status = 'sent', smtp_response = v.smtp_response, sent_at = v.sent_at,
                last_error = NULL, failure_code = NULL, request = NULL, retry_at = NULL,
                sent_copy = v.sent_copy, sent_copy_detail = v.sent_copy_detail,
                sent_copy_raw = CASE WHEN v.sent_copy = 'pending' THEN v.raw ELSE d.sent_copy_raw END,
                sent_copy_attempts = CASE WHEN v.sent_copy = 'pending' THEN 0 ELSE d.sent_copy_attempts END,
                -- Due at once, by the database's clock, which the claims compare with.
                sent_copy_next_at = CASE WHEN v.sent_copy = 'pending' THEN now() ELSE d.sent_copy_next_at END,
                sent_copy_settled_at = CASE WHEN v.sent_copy = 'skipped' THEN now() ELSE d.sent_copy_settled_at END
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::bytea[])
                AS v(outbound_message_id, smtp_response, sent_at, sent_copy, sent_copy_detail, raw)
          WHERE d.outbound_message_id = v.outbound_message_id`,
        [
          group.map((mail) => mail.keys.outboundMessageId),
          group.map((mail) => mail.smtpResponse),
          group.map((mail) => mail.sentAt.toISOString()),
          copies.map((copy) => copy.state),
          copies.map((copy) => (copy.state === 'skipped' ? copy.reason : null)),
          group.map((mail, index) => (copies[index]!.state === 'pending' ? mail.raw : null)),
        ],
      );
      // The first report of each outcome: a mail is sent (and settled `sent`) once, so no earlier row has its id.
      await enqueue(...group.map((mail) => mailSentEvent(mail.keys, mail.sentAt, mail.smtpResponse)));
      // Most sends find no count to reset (SmtpLogins.recordAccepted would change nothing): only the others ask.
      const logins = group.filter((mail) => mail.loginsToReset).map((mail) => ({ projectId: mail.keys.projectId, revision: mail.channel.revision }));
      for (const [projectId, revision] of newestRevisionPerProject(logins)) await this.logins.recordAccepted(manager, projectId, revision);
    });
    for (const projectId of new Set(group.map((mail) => mail.keys.projectId))) this.sentCopies.appendSoon(projectId);
  }
}
