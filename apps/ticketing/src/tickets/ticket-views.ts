import type { TicketMessageView, TicketView } from '@ensoras/contracts';
import { linkAttachments } from '../attachments/attachment-links.js';
import type { TicketMessage } from './ticket-message.entity.js';
import type { Ticket } from './ticket.entity.js';

/** The ticket as the inbox API and the ticket events show it. */
export function toTicketView(ticket: Ticket): TicketView {
  return {
    id: ticket.id,
    projectId: ticket.projectId,
    subject: ticket.subject,
    status: ticket.status,
    customer: { address: ticket.customerAddress, name: ticket.customerName },
    messageCount: ticket.messageCount,
    handoffReason: ticket.handoffReason ?? null,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
  };
}

export function toTicketMessageView(message: TicketMessage): TicketMessageView {
  const attachments = message.attachments ?? [];
  return {
    id: message.id,
    ticketId: message.ticketId,
    direction: message.direction,
    author: message.author,
    from: message.from,
    to: message.to,
    cc: message.cc,
    subject: message.subject,
    text: message.text,
    newText: message.newText,
    // Stored as received; the links depend on the route, so they are made when shown.
    html: linkAttachments(message.html, { projectId: message.projectId, ticketId: message.ticketId, messageId: message.id }, attachments.length),
    attachments,
    note: message.note,
    messageId: message.messageId,
    inReplyTo: message.inReplyTo,
    references: message.references,
    deliveryStatus: message.deliveryStatus,
    deliveryNote: message.deliveryNote,
    kind: message.kind,
    kindReasons: message.kindReasons,
    date: message.date?.toISOString() ?? null,
    sources: message.sources ?? [],
    createdAt: message.createdAt.toISOString(),
  };
}
