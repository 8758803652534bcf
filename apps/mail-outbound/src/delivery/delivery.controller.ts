import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MailSendRequested, type EventEnvelope, type MailSendRequestedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf, JetStreamContext } from '@ensoras/messaging';
import { DeliveryService } from './delivery.service.js';

/**
 * Replies of one project that queued up are sent up to this many at a time (see DeliveryService.deliverMany). Each
 * batch ends with connections idle until its last send is settled and acknowledged: the larger the batch, the rarer.
 */
const SENDS_PER_BATCH = 64;

@Controller()
export class DeliveryController {
  constructor(private readonly deliveries: DeliveryService) {}

  /**
   * Returning acknowledges the requests; a throw (transient SMTP trouble) has the transport handle them again one
   * by one, and JetStream redeliver the one that failed with back-off.
   */
  // <string>: the subject is a wildcard pattern, not a key of a typed event map.
  @EventPattern<string>(MailSendRequested.anyProject, inBatchesOf(SENDS_PER_BATCH))
  async onSendRequested(
    @Payload(new EnvelopesOf(MailSendRequested)) envelopes: Array<EventEnvelope<MailSendRequestedPayload>>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    const deliveryCounts = context.getDeliveryCounts();
    await this.deliveries.deliverMany(envelopes.map((envelope, index) => ({ envelope, deliveryCount: deliveryCounts[index] ?? 1 })));
  }
}
