import { eventIds } from '@ensoras/contracts';

/**
 * The envelope id of a response's reply.proposed event, derived from the responseId: a retry that publishes the same
 * response again carries the same Nats-Msg-Id and is dropped.
 */
export function replyProposedEventId(responseId: string): string {
  return eventIds.namedSha256(`reply.proposed:${responseId}`);
}
