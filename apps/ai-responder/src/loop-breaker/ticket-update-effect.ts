import type { EventEnvelope, TicketUpdatedPayload } from '@ensoras/contracts';

/** What a ticket.updated means for the AI, for one ticket. */
export interface TicketUpdateEffect {
  /**
   * - `hand-off`: a human holds the ticket: remember it, cancel its scheduled reply, never answer it meanwhile;
   * - `release`: it left `needs_human` (an agent gave it back to the AI): forget the handoff, answer it again;
   * - `close`: it was closed: forget any handoff (a customer mail reopens it as a fresh `open` ticket) and cancel its
   *   scheduled reply.
   */
  action: 'hand-off' | 'release' | 'close';
  projectId: string;
  ticketId: string;
}

/** `handed_off` is what events before issue 9 called `needs_human`; a replayed old event still means it. */
const HUMAN_STATUSES: ReadonlySet<string> = new Set(['needs_human', 'handed_off']);

/** A human holds the ticket: the AI does not answer it. */
export function isHumanStatus(status: string | undefined): boolean {
  return status !== undefined && HUMAN_STATUSES.has(status);
}

/**
 * Null for an update that changes nothing for the AI (message counts, delivery states, a ticket answered). A ticket
 * leaving needs_human is told by `previousStatus` (issue 9): a reopened ticket (`answered` → `open` on a new mail) is
 * not a ticket given back, which matters while our own handoff of it is on its way to ticketing.
 */
export function ticketUpdateEffect(envelope: EventEnvelope<TicketUpdatedPayload>): TicketUpdateEffect | null {
  const ticket = envelope.payload?.ticket;
  if (typeof ticket?.id !== 'string' || !envelope.projectId) return null;
  const target = { projectId: envelope.projectId, ticketId: ticket.id };
  const status: string = ticket.status;
  if (isHumanStatus(status)) return { action: 'hand-off', ...target };
  const changes = Array.isArray(envelope.payload.changes) ? envelope.payload.changes : [];
  if (!changes.includes('status')) return null;
  if (status === 'closed') return { action: 'close', ...target };
  const previous: string | undefined = envelope.payload.previousStatus;
  if (isHumanStatus(previous)) return { action: 'release', ...target };
  return null;
}
