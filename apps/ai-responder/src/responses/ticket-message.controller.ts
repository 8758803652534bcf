import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketMessageCreated, type EventEnvelope, type TicketMessageCreatedPayload } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { TicketMessageIntake } from './ticket-message-intake.service.js';

@Controller()
export class TicketMessageController {
  constructor(private readonly intake: TicketMessageIntake) {}

  /**
   * Throws only on transient trouble (database, NATS), which JetStream redelivers with back-off.
   * `<string>` picks the untyped overload of EventPattern: the envelope is typed by the contracts instead.
   */
  @EventPattern<string>(TicketMessageCreated.anyProject)
  handle(@Payload(new EnvelopeOf(TicketMessageCreated)) envelope: EventEnvelope<TicketMessageCreatedPayload>): Promise<void> {
    return this.intake.receive(envelope);
  }
}
