import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MailSendRequested, type EventEnvelope, type MailSendRequestedPayload } from '@ensoras/contracts';
import { EnvelopeOf, JetStreamContext } from '@ensoras/messaging';
import { DeliveryService } from './delivery.service.js';

@Controller()
export class DeliveryController {
  constructor(private readonly deliveries: DeliveryService) {}

  /** Returning acknowledges the request; a throw (transient SMTP trouble) has JetStream redeliver it with back-off. */
  // <string>: the subject is a wildcard pattern, not a key of a typed event map.
  @EventPattern<string>(MailSendRequested.anyProject)
  async onSendRequested(
    @Payload(new EnvelopeOf(MailSendRequested)) envelope: EventEnvelope<MailSendRequestedPayload>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    await this.deliveries.deliver(envelope, context.getDeliveryCount());
  }
}
