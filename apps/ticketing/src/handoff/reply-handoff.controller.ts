import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyHandoff, type EventEnvelope, type ReplyHandoffPayload } from '@ensoras/contracts';
import { EnvelopeOf, PermanentEventError } from '@ensoras/messaging';
import { TicketStatusService } from './ticket-status.service.js';

@Controller()
export class ReplyHandoffController {
  private readonly logger = new Logger(ReplyHandoffController.name);

  constructor(private readonly status: TicketStatusService) {}

  /**
   * The AI gave a ticket up (a loop-breaker limit, a withheld reply, a sender it could not verify): the ticket becomes
   * `needs_human`. A malformed handoff is dead-lettered with the reason; database trouble throws and is retried.
   */
  @EventPattern<string>(ReplyHandoff.anyProject)
  async onReplyHandoff(@Payload(new EnvelopeOf(ReplyHandoff)) envelope: EventEnvelope<ReplyHandoffPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    if (typeof payload?.ticketId !== 'string') throw new PermanentEventError('reply.handoff needs a ticketId');
    const reason = typeof payload.reason === 'string' ? payload.reason : 'no reason given';
    const outcome = await this.status.handOff(projectId, payload.ticketId, 'ai', reason);
    if (outcome.outcome === 'unknown-ticket') this.logger.warn(`reply.handoff for unknown ticket ${payload.ticketId} in ${projectId}; ignored`);
  }
}
