import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyHandoff, type EventEnvelope, type ReplyHandoffPayload } from '@ensoras/contracts';
import { EnvelopeOf, PermanentEventError } from '@ensoras/messaging';
import { HandoffService } from './handoff.service.js';

@Controller()
export class ReplyHandoffController {
  constructor(private readonly handoff: HandoffService) {}

  /** A malformed handoff is dead-lettered with the reason; database trouble throws and is retried. */
  @EventPattern<string>(ReplyHandoff.anyProject)
  async onReplyHandoff(@Payload(new EnvelopeOf(ReplyHandoff)) envelope: EventEnvelope<ReplyHandoffPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    if (typeof payload?.ticketId !== 'string') throw new PermanentEventError('reply.handoff needs a ticketId');
    await this.handoff.handOff(projectId, payload.ticketId, typeof payload.reason === 'string' ? payload.reason : 'no reason given');
  }
}
