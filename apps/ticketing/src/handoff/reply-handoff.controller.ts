import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyHandoff, type EventEnvelope, type ReplyHandoffPayload } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { OutgoingReplyService } from '../replies/outgoing-reply.service.js';
import { TicketStatusService } from './ticket-status.service.js';

@Controller()
export class ReplyHandoffController {
  private readonly logger = new Logger(ReplyHandoffController.name);

  constructor(
    private readonly status: TicketStatusService,
    private readonly replies: OutgoingReplyService,
  ) {}

  /**
   * The AI gave a ticket up (a loop-breaker limit, a withheld reply, a sender it could not verify): the ticket becomes
   * `needs_human`. A malformed handoff (EnvelopeOf checks it against the JSON Schema of reply.handoff) is
   * dead-lettered with the reason; database trouble throws and is retried.
   */
  @EventPattern<string>(ReplyHandoff.anyProject)
  async onReplyHandoff(@Payload(new EnvelopeOf(ReplyHandoff)) envelope: EventEnvelope<ReplyHandoffPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    const { reason, acknowledgement } = payload;
    if (acknowledgement !== undefined) {
      // Sent before the ticket goes to its human (after, the AI may not answer it); once per responseId, so a
      // redelivered handoff neither sends it twice nor skips the handoff.
      const sent = await this.replies.record({
        projectId,
        ticketId: payload.ticketId,
        responseId: acknowledgement.responseId,
        answersMessageIds: acknowledgement.answersMessageIds,
        text: acknowledgement.text,
        html: null,
        author: 'ai',
      });
      if (sent.outcome !== 'recorded' && sent.outcome !== 'duplicate') {
        this.logger.warn(`Handoff acknowledgement for ticket ${payload.ticketId} in ${projectId} not sent: ${sent.outcome}${'reason' in sent ? ` (${sent.reason})` : ''}`);
      }
    }
    const outcome = await this.status.handOff(projectId, payload.ticketId, 'ai', reason);
    if (outcome.outcome === 'unknown-ticket') this.logger.warn(`reply.handoff for unknown ticket ${payload.ticketId} in ${projectId}; ignored`);
  }
}
