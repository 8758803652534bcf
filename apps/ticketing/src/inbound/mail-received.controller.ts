import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MailReceived, type EventEnvelope, type MailReceivedPayload } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { InboundMailService } from './inbound-mail.service.js';

@Controller()
export class MailReceivedController {
  constructor(private readonly inbound: InboundMailService) {}

  /**
   * Returning acknowledges; a throw (database trouble, a concurrent conflict) is retried by JetStream.
   * `<string>`: the pattern is a wildcard subject, not a key of Nest's typed event map.
   */
  @EventPattern<string>(MailReceived.anyProject)
  async onMailReceived(@Payload(new EnvelopeOf(MailReceived)) envelope: EventEnvelope<MailReceivedPayload>): Promise<void> {
    await this.inbound.receive(envelope);
  }
}
