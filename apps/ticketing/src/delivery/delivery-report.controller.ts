import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MailFailed, MailSent, type EventEnvelope, type MailFailedPayload, type MailSentPayload } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { DeliveryReportService } from './delivery-report.service.js';

@Controller()
export class DeliveryReportController {
  constructor(private readonly delivery: DeliveryReportService) {}

  @EventPattern<string>(MailSent.anyProject)
  async onMailSent(@Payload(new EnvelopeOf(MailSent)) envelope: EventEnvelope<MailSentPayload>): Promise<void> {
    await this.delivery.apply(envelope.projectId, { status: 'sent', payload: envelope.payload });
  }

  @EventPattern<string>(MailFailed.anyProject)
  async onMailFailed(@Payload(new EnvelopeOf(MailFailed)) envelope: EventEnvelope<MailFailedPayload>): Promise<void> {
    await this.delivery.apply(envelope.projectId, { status: 'failed', payload: envelope.payload });
  }
}
