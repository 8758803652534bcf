import type { DeliveryStatus, TicketStatus } from '@ensoras/contracts';
import { ticketTransition } from '../tickets/ticket-transitions.js';

/** The ticket keeps this much of the reason. */
const MAX_REASON_CHARS = 1_000;

/**
 * A reply that failed for good leaves the customer without an answer while the ticket reads `answered`: it goes to a
 * human, saying why. Only when the failure is new, and only where ticketTransition lets ticketing itself hand off
 * (`open`, `answered`, `draft_ready`: a ticket a human already holds, or closed, keeps its state). Null when the
 * ticket stays as it is.
 */
export function failedReplyHandoff(
  ticket: { status: TicketStatus },
  previous: DeliveryStatus,
  next: { deliveryStatus: DeliveryStatus; deliveryNote: string | null },
): { status: 'needs_human'; handoffReason: string } | null {
  if (next.deliveryStatus !== 'failed' || previous === 'failed') return null;
  if (ticketTransition(ticket.status, { type: 'handoff', by: 'system' }).outcome !== 'change') return null;
  const reason = `Our reply was not delivered: ${next.deliveryNote ?? 'no reason given'}`;
  return { status: 'needs_human', handoffReason: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason };
}
