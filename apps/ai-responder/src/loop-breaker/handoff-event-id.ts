import { createHash } from 'node:crypto';

/**
 * The envelope id of a ticket's reply.handoff, derived from the project and ticket (a name-based UUID, version 5
 * layout over SHA-256): a ticket is handed off once, and a repeated publish carries the same Nats-Msg-Id.
 */
export function handoffEventId(projectId: string, ticketId: string): string {
  const bytes = createHash('sha256').update(`reply.handoff:${projectId}:${ticketId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
