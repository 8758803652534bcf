import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketMessageCreated, type EventEnvelope, type TicketMessageCreatedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { TicketMessageIntake } from './ticket-message-intake.service.js';

/**
 * Ticket messages of one project that queued up (a burst of mail) are taken in up to this many at a time, in one
 * transaction: one commit instead of one per message. A single message goes alone, at once.
 */
const MESSAGES_PER_TRANSACTION = 50;

@Controller()
export class TicketMessageController {
  constructor(private readonly intake: TicketMessageIntake) {}

  /**
   * Returning acknowledges the batch. It throws on database trouble (an outage, a deadlock) or a bad envelope; the
   * transport then handles its events again one by one, each retried with back-off or dead-lettered on its own.
   * `<string>` picks the untyped overload of EventPattern: the envelopes are typed by the contracts instead.
   */
  @EventPattern<string>(TicketMessageCreated.anyProject, inBatchesOf(MESSAGES_PER_TRANSACTION))
  handle(@Payload(new EnvelopesOf(TicketMessageCreated)) envelopes: Array<EventEnvelope<TicketMessageCreatedPayload>>): Promise<void> {
    return this.intake.receiveMany(envelopes);
  }
}
