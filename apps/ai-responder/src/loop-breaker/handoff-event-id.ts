import { eventIds } from '@ensoras/contracts';

/**
 * The envelope id of a ticket's reply.handoff, derived from the project, ticket and when the handoff was recorded: a
 * repeated publish carries the same Nats-Msg-Id, and a handoff after the ticket was given back to the AI
 * (`handedOffAt` differs) another one. Without `handedOffAt`, the id of handoffs before issue 9.
 */
export function handoffEventId(projectId: string, ticketId: string, handedOffAt?: string): string {
  return eventIds.namedSha256(`reply.handoff:${projectId}:${ticketId}${handedOffAt === undefined ? '' : `:${handedOffAt}`}`);
}
