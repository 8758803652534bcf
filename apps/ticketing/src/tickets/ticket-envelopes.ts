import {
  createEnvelope,
  TicketCreated,
  TicketMessageCreated,
  TicketUpdated,
  type EventEnvelope,
} from '@ensoras/contracts';
import { timeOrderedId } from './event-id.js';
import type { TicketMessage } from './ticket-message.entity.js';
import type { Ticket } from './ticket.entity.js';
import { toTicketMessageView, toTicketView } from './ticket-views.js';

/**
 * The ticket events, built from the rows as they are committed (call after the change, inside the transaction).
 * Ids are time-ordered so that the events of one transaction are published in the order they were added.
 */
export function ticketCreated(ticket: Ticket): EventEnvelope {
  return createEnvelope(TicketCreated, ticket.projectId, { ticket: toTicketView(ticket) }, timeOrderedId());
}

export function ticketMessageCreated(ticket: Ticket, message: TicketMessage): EventEnvelope {
  return createEnvelope(TicketMessageCreated, ticket.projectId, {
    ticket: toTicketView(ticket),
    message: toTicketMessageView(message),
  }, timeOrderedId());
}

export function ticketUpdated(ticket: Ticket, changes: string[], message?: TicketMessage): EventEnvelope {
  return createEnvelope(TicketUpdated, ticket.projectId, {
    ticket: toTicketView(ticket),
    changes,
    ...(message ? { message: toTicketMessageView(message) } : {}),
  }, timeOrderedId());
}
