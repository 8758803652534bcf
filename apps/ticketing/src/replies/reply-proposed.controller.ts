import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReplyProposed, type EventEnvelope, type ReplyProposedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { OutgoingReplyService, type OutgoingReply, type OutgoingReplyResult } from './outgoing-reply.service.js';

/**
 * Proposals of one project that queued up (the AI answering a burst of mail) are recorded up to this many at a time,
 * in one transaction; a single proposal goes alone, at once.
 */
const REPLIES_PER_TRANSACTION = 50;

@Controller()
export class ReplyProposedController {
  private readonly logger = new Logger(ReplyProposedController.name);

  constructor(private readonly replies: OutgoingReplyService) {}

  /**
   * Outcomes that no retry can change (no identity, unknown ticket) are logged and acknowledged, each on its own. A
   * throw (database trouble, a concurrent conflict, a malformed event: EnvelopesOf checks each against the event's
   * JSON Schema) has the transport handle the batch's events again one by one: each retried on its own, a malformed
   * one dead-lettered with the reason.
   * `<string>`: the pattern is a wildcard subject, not a key of Nest's typed event map.
   */
  @EventPattern<string>(ReplyProposed.anyProject, inBatchesOf(REPLIES_PER_TRANSACTION))
  async onReplyProposed(@Payload(new EnvelopesOf(ReplyProposed)) envelopes: Array<EventEnvelope<ReplyProposedPayload>>): Promise<void> {
    const replies = envelopes.map(outgoingReplyOf);
    const results = await this.replies.recordMany(replies);
    for (const [position, result] of results.entries()) this.logNotRecorded(replies[position]!, result);
  }

  private logNotRecorded({ projectId, ticketId, responseId }: OutgoingReply, result: OutgoingReplyResult): void {
    if (result.outcome === 'recorded' || result.outcome === 'drafted' || result.outcome === 'duplicate') return;
    const why = result.outcome === 'not-for-ai' ? `ticket ${ticketId}: ${result.reason}` : {
      'ticket-not-found': `ticket ${ticketId} does not exist`,
      'no-identity': 'the email channel has no identity (fromEmail) configured',
      'no-recipient': `ticket ${ticketId} has no customer message with an address to answer`,
    }[result.outcome];
    this.logger.warn(`Reply ${responseId} in ${projectId} not recorded: ${why}`);
  }
}

/** The payload was checked against the JSON Schema of reply.proposed by EnvelopesOf. */
function outgoingReplyOf({ projectId, payload }: EventEnvelope<ReplyProposedPayload>): OutgoingReply {
  return {
    projectId,
    ticketId: payload.ticketId,
    responseId: payload.responseId,
    answersMessageIds: payload.answersMessageIds,
    text: payload.text,
    html: payload.html,
    author: payload.author,
    draft: payload.draft === true,
    // Absent in replies before issue 9.
    sources: payload.sources ?? [],
  };
}
