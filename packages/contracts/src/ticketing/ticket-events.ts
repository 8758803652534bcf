import { defineEvent } from '../events/envelope.js';
import type { AttachmentMeta, MailAddress, MailKind } from '../mail/mail-events.js';
import type { ReplySource } from '../replies/reply-events.js';

/**
 * - `open`: waiting for an answer (the AI answers it, unless the channel's AI is off);
 * - `answered`: the last word is ours;
 * - `draft_ready`: the AI wrote a draft (the channel's draft mode) that waits for an agent to send or discard;
 * - `needs_human`: a human holds the ticket (handed off by the AI, by an agent, or after a reply failed); the AI does
 *   not answer it until an agent resumes the AI or closes it. Called `handed_off` before issue 9;
 * - `closed`: done; a new customer mail reopens it (`open`).
 */
export const TICKET_STATUSES = ['open', 'answered', 'draft_ready', 'needs_human', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type MessageDirection = 'inbound' | 'outbound';
export type MessageAuthor = 'customer' | 'ai' | 'agent';
/**
 * `received` for received mail; for ours: `draft` (an AI reply kept for an agent, never sent unless an agent sends
 * it), `discarded` (a draft an agent threw away), `queued` (handed to mail-outbound), `sent`, `failed`, `bounced`.
 */
export type DeliveryStatus = 'received' | 'draft' | 'discarded' | 'queued' | 'sent' | 'failed' | 'bounced';
/** Who handed a ticket to a human: the AI (ai-responder's reply.handoff), an agent, or ticketing itself (a reply failed). */
export type HandoffBy = 'ai' | 'agent' | 'system';

export interface TicketView {
  id: string;
  projectId: string;
  subject: string;
  status: TicketStatus;
  customer: MailAddress;
  messageCount: number;
  /**
   * Why the ticket was last handed to a human (by the AI, an agent, or a failed reply); null when it never was. Kept
   * after the ticket leaves `needs_human`. Absent in events before issue 7.
   */
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
  /**
   * The knowledge articles an AI reply (or draft) was written from; [] for received mail and replies without any.
   * Always present from ticketing since issue 9; absent in older events.
   */
  sources?: ReplySource[];
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
  /**
   * The status before this change, when `changes` includes `status` (absent otherwise, and in events before
   * issue 9). A ticket leaving `needs_human` is how a consumer learns that the AI may answer it again.
   */
  previousStatus?: TicketStatus;
}

/** The ticket became `needs_human`. Published together with the ticket.updated of that change. */
export interface TicketHandoffPayload {
  ticket: TicketView;
  by: HandoffBy;
  /** Why, as stored in `ticket.handoffReason`. */
  reason: string;
}

/** An agent closed the ticket. Published together with the ticket.updated of that change. */
export interface TicketClosedPayload {
  ticket: TicketView;
  /** What the ticket was before it was closed. */
  previousStatus: TicketStatus;
}

/**
 * The AI's reply was kept as a draft (`deliveryStatus: 'draft'`) for an agent to send or discard; nothing was sent.
 * Published together with the ticket.updated of the status change (→ `draft_ready`), if any.
 */
export interface TicketDraftCreatedPayload {
  ticket: TicketView;
  ticketId: string;
  /** The draft's ticket message id (`message.id`): the `draftId` of the send and discard routes. */
  messageId: string;
  /** The knowledge articles the draft was written from; [] when none. */
  sources: ReplySource[];
  /** The draft as the ticket API shows it. */
  message: TicketMessageView;
}

export const TicketCreated = defineEvent<TicketCreatedPayload>('ticket', 'created');
export const TicketMessageCreated = defineEvent<TicketMessageCreatedPayload>('ticket', 'message.created');
export const TicketUpdated = defineEvent<TicketUpdatedPayload>('ticket', 'updated');
export const TicketHandoff = defineEvent<TicketHandoffPayload>('ticket', 'handoff');
export const TicketClosed = defineEvent<TicketClosedPayload>('ticket', 'closed');
export const TicketDraftCreated = defineEvent<TicketDraftCreatedPayload>('ticket', 'draft.created');
