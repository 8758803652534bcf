import { createHash } from 'node:crypto';

/**
 * The envelope id of a ticket's reply.handoff, derived from the project, ticket and when the handoff was recorded (a
 * name-based UUID, version 5 layout over SHA-256): a repeated publish carries the same Nats-Msg-Id, and a handoff
 * after the ticket was given back to the AI (`handedOffAt` differs) another one. Without `handedOffAt`, the id of
 * handoffs before issue 9.
 */
export function handoffEventId(projectId: string, ticketId: string, handedOffAt?: string): string {
  const name = `reply.handoff:${projectId}:${ticketId}${handedOffAt === undefined ? '' : `:${handedOffAt}`}`;
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
