import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MailFailed, MailSent, type EventEnvelope, type MailFailedPayload, type MailSentPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { DeliveryReportService } from './delivery-report.service.js';

/**
 * Reports of one project that queued up (mail-outbound working through a burst of replies) are applied up to this
 * many at a time, in one transaction; a single report goes alone, at once.
 */
const REPORTS_PER_TRANSACTION = 50;

/**
 * Returning acknowledges the batch; a report for an unknown message is logged and acknowledged with the rest. A throw
 * (database trouble) has the transport handle the batch's events again one by one, each retried on its own.
 * `<string>`: the patterns are wildcard subjects, not keys of Nest's typed event map.
 */
@Controller()
export class DeliveryReportController {
  constructor(private readonly delivery: DeliveryReportService) {}

  @EventPattern<string>(MailSent.anyProject, inBatchesOf(REPORTS_PER_TRANSACTION))
  async onMailSent(@Payload(new EnvelopesOf(MailSent)) envelopes: Array<EventEnvelope<MailSentPayload>>): Promise<void> {
    await this.delivery.applyMany(envelopes.map(({ projectId, payload }) => ({ projectId, report: { status: 'sent', payload } })));
  }

  @EventPattern<string>(MailFailed.anyProject, inBatchesOf(REPORTS_PER_TRANSACTION))
  async onMailFailed(@Payload(new EnvelopesOf(MailFailed)) envelopes: Array<EventEnvelope<MailFailedPayload>>): Promise<void> {
    await this.delivery.applyMany(envelopes.map(({ projectId, payload }) => ({ projectId, report: { status: 'failed', payload } })));
  }
}
