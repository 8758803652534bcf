import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyHandoff, type EventEnvelope, type ReplyHandoffPayload } from '@ensoras/contracts';
import { HandoffService } from './handoff.service.js';

@Controller()
export class ReplyHandoffController {
  private readonly logger = new Logger(ReplyHandoffController.name);

  constructor(private readonly handoff: HandoffService) {}

  /** A malformed or unknown-ticket handoff is logged and acknowledged; database trouble throws and is retried. */
  @EventPattern<string>(ReplyHandoff.anyProject)
  async onReplyHandoff(@Payload() envelope: EventEnvelope<ReplyHandoffPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    if (typeof payload?.ticketId !== 'string') {
      this.logger.warn(`reply.handoff ${envelope.id} in ${projectId} is malformed; dropped`);
      return;
    }
    await this.handoff.handOff(projectId, payload.ticketId, typeof payload.reason === 'string' ? payload.reason : 'no reason given');
  }
}
