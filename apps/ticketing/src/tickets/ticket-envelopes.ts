import {
  createEnvelope,
  eventIds,
  MailSendRequested,
  TicketClosed,
  TicketCreated,
  TicketDraftCreated,
  TicketHandoff,
  TicketMessageCreated,
  TicketUpdated,
  type AttachmentMeta,
  type EventEnvelope,
  type HandoffBy,
  type MailAddress,
  type MailSendRequestedPayload,
  type ReplySource,
  type TicketMessageView,
  type TicketStatus,
  type TicketView,
} from '@ensoras/contracts';
import { cutHtml, cutText, jsonByteLength, shareBudget } from './bounded-text.js';
import { rootAndLast } from './reference-chain.js';
import type { TicketMessage } from './ticket-message.entity.js';
import type { Ticket } from './ticket.entity.js';
import { toTicketMessageView, toTicketView } from './ticket-views.js';

/**
 * Every event ticketing publishes fits in this many bytes (the JSON as published). NATS refuses payloads over
 * max_payload (1 MiB by default) and an event that cannot be published holds up the outbox; a quarter of that
 * leaves room for headers and for a server configured lower, while no consumer needs more: the AI reads a few
 * thousand characters of a message, mail-outbound sends replies that the reply limits keep far smaller. The full
 * text stays in the database (and the raw mail in the object store); the inbox API shows it whole.
 */
export const EVENT_BUDGET_BYTES = 256 * 1024;

/** Caps of the small fields, in JSON bytes: generous for real mail, and together far below the budget. */
const NAME_BYTES = 256;
const ADDRESS_BYTES = 320;
const SUBJECT_BYTES = 2_000;
const NOTE_BYTES = 2_000;
const REASON_BYTES = 500;
const MAX_LISTED_ADDRESSES = 20;
const MAX_LISTED_ATTACHMENTS = 50;
const MAX_LISTED_REASONS = 10;
/** Knowledge articles of a reply: ai-responder names a handful; ids, titles and links are capped like names. */
const MAX_LISTED_SOURCES = 20;
const SOURCE_ID_BYTES = 256;
const SOURCE_TITLE_BYTES = 500;
const SOURCE_URL_BYTES = 2_000;
/** References in an event: the thread's root and the nearest ancestors (Message-IDs are at most 998 characters). */
const MAX_TRAILING_EVENT_REFERENCES = 20;

/**
 * The ticket events, built from the rows as they are committed (call after the change, inside the transaction).
 * Ids are time-ordered so that the events of one transaction are published in the order they were added.
 */
export function ticketCreated(ticket: Ticket): EventEnvelope {
  return createEnvelope(TicketCreated, ticket.projectId, { ticket: boundedTicketView(toTicketView(ticket)) }, eventIds.timeOrdered());
}

export function ticketMessageCreated(ticket: Ticket, message: TicketMessage): EventEnvelope {
  const id = eventIds.timeOrdered();
  const view = boundedMessageView(toTicketMessageView(message));
  const ticketView = boundedTicketView(toTicketView(ticket));
  return withBodies(
    [{ value: view.text }, { value: view.newText }, { value: view.html, html: true }],
    ([text, newText, html]) =>
      createEnvelope(TicketMessageCreated, ticket.projectId, { ticket: ticketView, message: { ...view, text: text!, newText: newText!, html } }, id),
  );
}

/**
 * `previousStatus`: the status before the change, sent when `changes` names `status` (how a consumer tells a ticket
 * given back to the AI from one that merely reopened).
 */
export function ticketUpdated(
  ticket: Ticket,
  changes: string[],
  extra: { message?: TicketMessage; previousStatus?: TicketStatus } = {},
): EventEnvelope {
  const id = eventIds.timeOrdered();
  const ticketView = boundedTicketView(toTicketView(ticket));
  const previous = changes.includes('status') && extra.previousStatus !== undefined ? { previousStatus: extra.previousStatus } : {};
  if (!extra.message) return createEnvelope(TicketUpdated, ticket.projectId, { ticket: ticketView, changes, ...previous }, id);
  const view = boundedMessageView(toTicketMessageView(extra.message));
  return withBodies(
    [{ value: view.text }, { value: view.newText }, { value: view.html, html: true }],
    ([text, newText, html]) =>
      createEnvelope(TicketUpdated, ticket.projectId, { ticket: ticketView, changes, message: { ...view, text: text!, newText: newText!, html }, ...previous }, id),
  );
}

/** The ticket became needs_human: who handed it over, and why (the reason stored on the ticket). */
export function ticketHandoff(ticket: Ticket, by: HandoffBy): EventEnvelope {
  const ticketView = boundedTicketView(toTicketView(ticket));
  return createEnvelope(TicketHandoff, ticket.projectId, { ticket: ticketView, by, reason: ticketView.handoffReason ?? '' }, eventIds.timeOrdered());
}

export function ticketClosed(ticket: Ticket, previousStatus: TicketStatus): EventEnvelope {
  return createEnvelope(TicketClosed, ticket.projectId, { ticket: boundedTicketView(toTicketView(ticket)), previousStatus }, eventIds.timeOrdered());
}

/** A draft was kept for an agent: the draft itself, bounded like any message of an event. */
export function ticketDraftCreated(ticket: Ticket, draft: TicketMessage): EventEnvelope {
  const id = eventIds.timeOrdered();
  const view = boundedMessageView(toTicketMessageView(draft));
  const ticketView = boundedTicketView(toTicketView(ticket));
  return withBodies(
    [{ value: view.text }, { value: view.newText }, { value: view.html, html: true }],
    ([text, newText, html]) =>
      createEnvelope(
        TicketDraftCreated,
        ticket.projectId,
        {
          ticket: ticketView,
          ticketId: ticket.id,
          messageId: draft.id,
          sources: view.sources ?? [],
          message: { ...view, text: text!, newText: newText!, html },
        },
        id,
      ),
  );
}

/**
 * The send request of a recorded outgoing message. The reply limits keep its text and HTML well inside the
 * budget; the cut here is the guarantee for a reply that came from elsewhere.
 */
export function mailSendRequested(ticket: Ticket, message: TicketMessage, author: 'ai' | 'agent'): EventEnvelope {
  const id = eventIds.timeOrdered();
  const payload: MailSendRequestedPayload = {
    outboundMessageId: message.id,
    ticketId: ticket.id,
    from: boundedAddress(message.from!),
    to: message.to.slice(0, MAX_LISTED_ADDRESSES).map(boundedAddress),
    cc: message.cc.slice(0, MAX_LISTED_ADDRESSES).map(boundedAddress),
    subject: cutText(message.subject, SUBJECT_BYTES),
    messageId: message.messageId,
    inReplyTo: message.inReplyTo,
    references: rootAndLast(message.references, MAX_TRAILING_EVENT_REFERENCES),
    text: message.text,
    html: message.html,
    author,
  };
  return withBodies([{ value: payload.text }, { value: payload.html, html: true }], ([text, html]) =>
    createEnvelope(MailSendRequested, ticket.projectId, { ...payload, text: text!, html }, id),
  );
}

/** Bytes of the event as the outbox publishes it. */
export function eventBytes(envelope: EventEnvelope): number {
  return Buffer.byteLength(JSON.stringify(envelope), 'utf8');
}

interface Body {
  value: string | null;
  /** HTML is cut between tags. */
  html?: boolean;
}

/** Builds the event with its bodies (null stays null) cut to share what the rest of the event leaves of the budget. */
function withBodies(bodies: Body[], build: (values: Array<string | null>) => EventEnvelope): EventEnvelope {
  const room = EVENT_BUDGET_BYTES - eventBytes(build(bodies.map(({ value }) => (value === null ? null : ''))));
  const budgets = shareBudget(bodies.map(({ value }) => (value === null ? 0 : jsonByteLength(value))), room);
  return build(bodies.map(({ value, html }, index) => {
    if (value === null) return null;
    return html ? cutHtml(value, budgets[index]!) : cutText(value, budgets[index]!);
  }));
}

function boundedTicketView(view: TicketView): TicketView {
  return {
    ...view,
    subject: cutText(view.subject, SUBJECT_BYTES),
    customer: boundedAddress(view.customer),
    handoffReason: view.handoffReason ? cutText(view.handoffReason, NOTE_BYTES) : null,
  };
}

/** The message with its small fields capped; text, newText and HTML are cut by withBodies. */
function boundedMessageView(view: TicketMessageView): TicketMessageView {
  return {
    ...view,
    from: view.from ? boundedAddress(view.from) : null,
    to: view.to.slice(0, MAX_LISTED_ADDRESSES).map(boundedAddress),
    cc: view.cc.slice(0, MAX_LISTED_ADDRESSES).map(boundedAddress),
    subject: cutText(view.subject, SUBJECT_BYTES),
    // The first ones keep their index, which inline images of the HTML refer to.
    attachments: view.attachments.slice(0, MAX_LISTED_ATTACHMENTS).map(boundedAttachment),
    note: view.note === null ? null : cutText(view.note, NOTE_BYTES),
    references: rootAndLast(view.references, MAX_TRAILING_EVENT_REFERENCES),
    deliveryNote: view.deliveryNote === null ? null : cutText(view.deliveryNote, NOTE_BYTES),
    kindReasons: view.kindReasons.slice(0, MAX_LISTED_REASONS).map((reason) => cutText(reason, REASON_BYTES)),
    sources: (view.sources ?? []).slice(0, MAX_LISTED_SOURCES).map(boundedSource),
  };
}

function boundedSource(source: ReplySource): ReplySource {
  return {
    articleId: cutText(source.articleId, SOURCE_ID_BYTES),
    title: cutText(source.title, SOURCE_TITLE_BYTES),
    // A link cut in half leads nowhere: one too long is left out.
    url: source.url !== null && Buffer.byteLength(source.url, 'utf8') <= SOURCE_URL_BYTES ? source.url : null,
  };
}

function boundedAddress(address: MailAddress): MailAddress {
  return { address: cutText(address.address ?? '', ADDRESS_BYTES), name: cutText(address.name ?? '', NAME_BYTES) };
}

function boundedAttachment(attachment: AttachmentMeta): AttachmentMeta {
  return {
    ...attachment,
    filename: attachment.filename === null ? null : cutText(attachment.filename, NAME_BYTES),
    contentType: cutText(attachment.contentType, NAME_BYTES),
    contentId: attachment.contentId === null ? null : cutText(attachment.contentId, ADDRESS_BYTES),
  };
}
