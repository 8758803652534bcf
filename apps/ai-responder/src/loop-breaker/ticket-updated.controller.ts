import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketUpdated, type EventEnvelope, type TicketUpdatedPayload } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { DataSource } from 'typeorm';
import { HANDED_OFF_REASON, LoopBreaker } from './loop-breaker.service.js';

@Controller()
export class TicketUpdatedController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly loopBreaker: LoopBreaker,
  ) {}

  /**
   * A ticket that became `handed_off` (by our handoff or anyone else's) is never answered again, even when its status
   * moves on later; a reply already scheduled for it is cancelled. Every other update is acknowledged untouched.
   */
  @EventPattern<string>(TicketUpdated.anyProject)
  async onTicketUpdated(@Payload(new EnvelopeOf(TicketUpdated)) envelope: EventEnvelope<TicketUpdatedPayload>): Promise<void> {
    const ticket = envelope.payload?.ticket;
    if (ticket?.status !== 'handed_off' || typeof ticket.id !== 'string' || !envelope.projectId) return;
    await this.dataSource.transaction((manager) => this.loopBreaker.handOff(manager, envelope.projectId, ticket.id, HANDED_OFF_REASON, { announce: false }));
  }
}
