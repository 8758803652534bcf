import { defineEvent } from '../events/envelope.js';
import type { AttachmentMeta, MailAddress, MailKind } from '../mail/mail-events.js';

export const TICKET_STATUSES = ['open', 'answered', 'handed_off', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type MessageDirection = 'inbound' | 'outbound';
export type MessageAuthor = 'customer' | 'ai' | 'agent';
export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'failed' | 'bounced';

export interface TicketView {
  id: string;
  projectId: string;
  subject: string;
  status: TicketStatus;
  customer: MailAddress;
  messageCount: number;
  /** Why the AI last handed the ticket to a human; null when it never did. Absent in events before issue 7. */
  handoffReason?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TicketMessageView {
  id: string;
  ticketId: string;
  direction: MessageDirection;
  author: MessageAuthor;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  text: string;
  /** The new part of a reply, without quoted history; what the AI reads. */
  newText: string;
  html: string | null;
  attachments: AttachmentMeta[];
  /** Something an agent should know about the message, e.g. that it was over the size limit. */
  note: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  deliveryStatus: DeliveryStatus;
  deliveryNote: string | null;
  kind: MailKind;
  kindReasons: string[];
  /** When the sender wrote it (the mail's Date header); null for our own messages and mail without a date. */
  date: string | null;
  createdAt: string;
}

export interface TicketDetailView extends TicketView {
  messages: TicketMessageView[];
}

export interface TicketPage {
  items: TicketView[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface TicketCreatedPayload {
  ticket: TicketView;
}

export interface TicketMessageCreatedPayload {
  ticket: TicketView;
  message: TicketMessageView;
}

export interface TicketUpdatedPayload {
  ticket: TicketView;
  /** What changed, e.g. `status`, `messageCount`, `message.deliveryStatus`. */
  changes: string[];
  /** The message whose delivery changed, when that is the change. */
  message?: TicketMessageView;
}

export const TicketCreated = defineEvent<TicketCreatedPayload>('ticket', 'created');
export const TicketMessageCreated = defineEvent<TicketMessageCreatedPayload>('ticket', 'message.created');
export const TicketUpdated = defineEvent<TicketUpdatedPayload>('ticket', 'updated');
