import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyHandoff, type EventEnvelope, type ReplyHandoffPayload } from '@ensoras/contracts';
import { EnvelopeOf, PermanentEventError } from '@ensoras/messaging';
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
   * `needs_human`. A malformed handoff is dead-lettered with the reason; database trouble throws and is retried.
   */
  @EventPattern<string>(ReplyHandoff.anyProject)
  async onReplyHandoff(@Payload(new EnvelopeOf(ReplyHandoff)) envelope: EventEnvelope<ReplyHandoffPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    if (typeof payload?.ticketId !== 'string') throw new PermanentEventError('reply.handoff needs a ticketId');
    const reason = typeof payload.reason === 'string' ? payload.reason : 'no reason given';
    const acknowledgement = payload.acknowledgement;
    if (acknowledgement !== undefined) {
      if (typeof acknowledgement?.responseId !== 'string' || typeof acknowledgement.text !== 'string' || !Array.isArray(acknowledgement.answersMessageIds)) {
        throw new PermanentEventError('reply.handoff: acknowledgement needs responseId, answersMessageIds and text');
      }
      // Sent before the ticket goes to its human (after, the AI may not answer it); once per responseId, so a
      // redelivered handoff neither sends it twice nor skips the handoff.
      const sent = await this.replies.record({
        projectId,
        ticketId: payload.ticketId,
        responseId: acknowledgement.responseId,
        answersMessageIds: acknowledgement.answersMessageIds.filter((id): id is string => typeof id === 'string'),
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
