import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketUpdated, type EventEnvelope, type TicketUpdatedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { DataSource } from 'typeorm';
import { HANDED_OFF_REASON, LoopBreaker } from './loop-breaker.service.js';

/** Ticket updates of one project that queued up are handled up to this many at a time, in one transaction. */
const UPDATES_PER_TRANSACTION = 50;

@Controller()
export class TicketUpdatedController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly loopBreaker: LoopBreaker,
  ) {}

  /**
   * A ticket that became `handed_off` (by our handoff or anyone else's) is never answered again, even when its status
   * moves on later; a reply already scheduled for it is cancelled. Every other update is acknowledged untouched.
   * The handoffs of a batch are written in its order in one transaction, all or none: when it throws, the transport
   * handles the events again one by one. A handoff is idempotent, so a ticket twice in a batch is handed off once.
   */
  @EventPattern<string>(TicketUpdated.anyProject, inBatchesOf(UPDATES_PER_TRANSACTION))
  async onTicketUpdated(@Payload(new EnvelopesOf(TicketUpdated)) envelopes: Array<EventEnvelope<TicketUpdatedPayload>>): Promise<void> {
    const handedOff = envelopes.flatMap(handedOffTicketOf);
    // Most updates (message counts, delivery states) need no transaction at all.
    if (handedOff.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const { projectId, ticketId } of handedOff) {
        await this.loopBreaker.handOff(manager, projectId, ticketId, HANDED_OFF_REASON, { announce: false });
      }
    });
  }
}

/** The ticket an update hands to a human, as a list of zero or one for flatMap. */
function handedOffTicketOf(envelope: EventEnvelope<TicketUpdatedPayload>): Array<{ projectId: string; ticketId: string }> {
  const ticket = envelope.payload?.ticket;
  if (ticket?.status !== 'handed_off' || typeof ticket.id !== 'string' || !envelope.projectId) return [];
  return [{ projectId: envelope.projectId, ticketId: ticket.id }];
}
