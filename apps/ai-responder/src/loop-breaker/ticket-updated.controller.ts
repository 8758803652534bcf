import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketUpdated, type EventEnvelope, type TicketUpdatedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { cancelOpenResponses } from '../responses/open-responses.js';
import { HANDED_OFF_REASON, LoopBreaker } from './loop-breaker.service.js';
import { ticketUpdateEffect, type TicketUpdateEffect } from './ticket-update-effect.js';

/** Ticket updates of one project that queued up are handled up to this many at a time, in one transaction. */
const UPDATES_PER_TRANSACTION = 50;

@Controller()
export class TicketUpdatedController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly loopBreaker: LoopBreaker,
  ) {}

  /**
   * A ticket that became `needs_human` (by our handoff or anyone else's) is not answered any more, even when a later
   * message arrives; a reply already scheduled for it is cancelled. It is answered again once ticketing says it left
   * `needs_human` (an agent gave it back to the AI, or closed it). A closed ticket's scheduled reply is cancelled; a
   * customer mail reopens it and is answered as any other. Every other update is acknowledged untouched. The effects
   * of a batch are written in its order in one transaction, all or none: when it throws, the transport handles the
   * events again one by one. Each effect is idempotent, so a ticket twice in a batch is handed off once.
   */
  @EventPattern<string>(TicketUpdated.anyProject, inBatchesOf(UPDATES_PER_TRANSACTION))
  async onTicketUpdated(@Payload(new EnvelopesOf(TicketUpdated)) envelopes: Array<EventEnvelope<TicketUpdatedPayload>>): Promise<void> {
    const effects = envelopes.flatMap((envelope) => {
      const effect = ticketUpdateEffect(envelope);
      return effect ? [effect] : [];
    });
    // Most updates (message counts, delivery states) need no transaction at all.
    if (effects.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const effect of effects) await this.apply(manager, effect);
    });
  }

  private async apply(manager: EntityManager, { action, projectId, ticketId }: TicketUpdateEffect): Promise<void> {
    switch (action) {
      case 'hand-off':
        await this.loopBreaker.handOff(manager, projectId, ticketId, HANDED_OFF_REASON, { announce: false });
        return;
      case 'release':
        await this.loopBreaker.release(manager, projectId, ticketId);
        return;
      case 'close':
        await this.loopBreaker.release(manager, projectId, ticketId);
        await cancelOpenResponses(manager, projectId, ticketId, 'the ticket was closed');
        return;
    }
  }
}
