import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyProposed, type EventEnvelope, type ReplyProposedPayload } from '@ensoras/contracts';
import { EnvelopeOf, PermanentEventError } from '@ensoras/messaging';
import { OutgoingReplyService } from './outgoing-reply.service.js';

@Controller()
export class ReplyProposedController {
  private readonly logger = new Logger(ReplyProposedController.name);

  constructor(private readonly replies: OutgoingReplyService) {}

  /**
   * Outcomes that no retry can change (no identity, unknown ticket) are logged and acknowledged; a malformed event is
   * dead-lettered with the reason.
   */
  @EventPattern<string>(ReplyProposed.anyProject)
  async onReplyProposed(@Payload(new EnvelopeOf(ReplyProposed)) envelope: EventEnvelope<ReplyProposedPayload>): Promise<void> {
    const { projectId, payload } = envelope;
    if (typeof payload?.responseId !== 'string' || typeof payload.ticketId !== 'string' || typeof payload.text !== 'string') {
      throw new PermanentEventError('reply.proposed needs a responseId, a ticketId and a text');
    }
    const result = await this.replies.record({
      projectId,
      ticketId: payload.ticketId,
      responseId: payload.responseId,
      answersMessageIds: Array.isArray(payload.answersMessageIds) ? payload.answersMessageIds : [],
      text: payload.text,
      html: payload.html ?? null,
      author: payload.author === 'agent' ? 'agent' : 'ai',
    });
    if (result.outcome === 'recorded' || result.outcome === 'duplicate') return;
    const why = {
      'ticket-not-found': `ticket ${payload.ticketId} does not exist`,
      'handed-off': `ticket ${payload.ticketId} was handed off to a human; the AI does not answer it any more`,
      'no-identity': 'the email channel has no identity (fromEmail) configured',
      'no-recipient': `ticket ${payload.ticketId} has no customer message with an address to answer`,
    }[result.outcome];
    this.logger.warn(`Reply ${payload.responseId} in ${projectId} not recorded: ${why}`);
  }
}
