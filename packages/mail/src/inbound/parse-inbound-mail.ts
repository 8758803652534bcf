/**
 * A received mail, from its raw bytes to everything the mail.received event says about it: addresses, threading
 * headers, decoded subject and text, the new part of a reply, sanitised HTML, attachments, classification with its
 * reasons, and for a bounce what it reports. This is the one parse path: mail-ingest publishes its result, the
 * corpus specs and the benchmark run it.
 *
 * Robustness: text is decoded by our charset rules before mailparser sees it (mime-normalizer.ts); when the MIME
 * structure is too broken to find any text, the text of a returned/forwarded message or the raw body stands in.
 * It rejects only when mailparser refuses the mail outright (e.g. more MIME parts than it accepts): the caller
 * quarantines such a mail.
 */
import type { AttachmentMeta, MailAddress, MailReceivedPayload } from '@ensoras/contracts';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { CLASSIFICATION_HEADERS, classifyMail, type ClassificationChannel } from '../classification.js';
import { headersFromLines } from '../mail-headers.js';
import { messageIdFromRaw, normalizeMessageId, parseMessageIdList } from '../message-id.js';
import { htmlToPlainText } from '../reply-body.js';
import { extractBounceDetails } from './bounce-details.js';
import {
  boundAddress,
  boundAddresses,
  boundAttachments,
  boundBounce,
  boundHeaders,
  boundReasons,
  boundReferences,
  cutHtml,
  cutLine,
  cutText,
  INBOUND_LIMITS,
} from './inbound-budget.js';
import { MAX_SANITIZED_HTML_CHARS, sanitizeMailHtml } from './html-sanitizer.js';
import { normalizeMime, type MimePart, type NormalizedMime } from './mime-normalizer.js';
import { rawBodyText } from './raw-body-text.js';
import { newTextOf } from './reply-text.js';

export { truncateUtf8 } from './inbound-budget.js';

/** Text and HTML are each cut to this many UTF-8 bytes by default (marked `[truncated]`); `truncated` says so. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Headers the event carries (lower-case) for loop and auto-reply decisions downstream: the usual loop and
 * auto-responder headers, our own loop marker (mail-outbound puts it on every reply), and whatever else
 * classifyMail reads, so a consumer can classify again with the same facts.
 */
export const INBOUND_EVENT_HEADERS: readonly string[] = [
  ...new Set([
    'auto-submitted',
    'precedence',
    'x-autoreply',
    'x-autorespond',
    'x-auto-response-suppress',
    'x-loop',
    'x-ms-exchange-inbox-rules-loop',
    'return-path',
    'list-id',
    'list-unsubscribe',
    'content-type',
    'x-ensoras-loop',
    ...CLASSIFICATION_HEADERS,
  ]),
];

export interface InboundChannel extends ClassificationChannel {
  /** The channel's size limit (channelSafetyOf(snapshot).maxMessageSizeMb in bytes); larger mail is `oversized`. */
  maxMessageSizeBytes?: number | null;
}

export interface ParseInboundOptions {
  /** Cut text and HTML at this many UTF-8 bytes each (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /**
   * The mail's whole size (IMAP RFC822.SIZE) when `raw` is only its start: a mail over the size limit is fetched
   * only partly. `size` and `oversized` go by this.
   */
  declaredSize?: number;
}

/** The mail.received payload without what only the importer knows (where the mail came from, where it is kept). */
export type InboundMail = Omit<MailReceivedPayload, 'source' | 'rawObjectKey'>;

/** mailparser without the work we do ourselves or do not want (data: URIs for cid images, text↔HTML, links). */
const PARSER_OPTIONS = { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true } as const;

/** Nested returned or forwarded messages are read for text this deep, no deeper. */
const MAX_NESTED_DEPTH = 2;

export async function parseInboundMail(raw: Buffer, channel: InboundChannel, options: ParseInboundOptions = {}): Promise<InboundMail> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const { parsed, parts } = await parseNormalized(raw);

  const headers = headersFromLines(parsed.headerLines, INBOUND_EVENT_HEADERS);
  const ownMessageId = normalizeMessageId(parsed.messageId);
  const from = addressesOf(parsed.from)[0] ?? null;
  const subject = parsed.subject ?? '';
  const size = Math.max(options.declaredSize ?? 0, raw.length);
  const oversized = channel.maxMessageSizeBytes != null && size > channel.maxMessageSizeBytes;

  const attachments = oversized ? [] : parsed.attachments.map(attachmentMeta);
  const rawHtml = typeof parsed.html === 'string' && parsed.html.trim() !== '' ? parsed.html : null;
  const html = rawHtml === null ? null : sanitizeMailHtml(rawHtml, attachments);
  const text = await bodyText(raw, parsed, html, 0);

  const boundedText = cutText(text, maxBodyBytes);
  const boundedHtml = html === null ? null : cutHtml(html, maxBodyBytes);
  const classification = classifyMail(
    { headers, contentType: headers['content-type'] ?? null, from, subject, messageId: ownMessageId, text, partTypes: parts.map((part) => part.contentType) },
    channel,
  );
  const bounce =
    classification.kind === 'bounce'
      ? extractBounceDetails({ text, parts, headers: headersFromLines(parsed.headerLines, ['x-failed-recipients']), subject, messageId: ownMessageId })
      : null;

  // Every field within its budget (inbound-budget.ts): a mail can never make an event too large for the broker.
  return {
    size,
    messageId: ownMessageId ?? messageIdFromRaw(raw),
    messageIdGenerated: ownMessageId === null,
    inReplyTo: parseMessageIdList(parsed.inReplyTo)[0] ?? null,
    references: boundReferences(parseMessageIdList(parsed.references)),
    subject: cutLine(subject, INBOUND_LIMITS.subjectChars),
    from: from === null ? null : boundAddress(from),
    to: boundAddresses(addressesOf(parsed.to).filter(isAddress)),
    cc: boundAddresses(addressesOf(parsed.cc).filter(isAddress)),
    replyTo: boundAddresses(addressesOf(parsed.replyTo).filter(isAddress)),
    date: dateOf(headersFromLines(parsed.headerLines, ['date'])['date']),
    headers: boundHeaders(headers),
    text: boundedText,
    newText: cutText(newTextOf(text), maxBodyBytes),
    html: boundedHtml,
    truncated:
      boundedText !== text ||
      (html !== null && boundedHtml !== html) ||
      (rawHtml !== null && rawHtml.length > MAX_SANITIZED_HTML_CHARS),
    oversized,
    attachments: boundAttachments(attachments),
    classification: { kind: classification.kind, reasons: boundReasons(classification.reasons) },
    bounce: boundBounce(bounce),
  };
}

/** One attachment of a received mail: what the event lists about it, and its decoded bytes. */
export interface InboundAttachment {
  meta: AttachmentMeta;
  content: Buffer;
}

/**
 * The attachments of a received mail with their bytes, through the same parse path as parseInboundMail (same
 * normalisation, same parser options, same budget), so the list is the one the mail.received event carried and an
 * index into it names the same file. For serving downloads; parseInboundMail itself keeps no content.
 */
export async function readInboundAttachments(raw: Buffer): Promise<InboundAttachment[]> {
  const { parsed } = await parseNormalized(raw);
  const metas = boundAttachments(parsed.attachments.map(attachmentMeta));
  return metas.map((meta, index) => ({ meta, content: parsed.attachments[index]!.content }));
}

/** mailparser on the normalised bytes; on the raw bytes when the normaliser could not split the mail. */
async function parseNormalized(raw: Buffer): Promise<{ parsed: ParsedMail; parts: MimePart[] }> {
  let normalized: NormalizedMime;
  try {
    normalized = await normalizeMime(raw);
  } catch {
    normalized = { raw, parts: [] };
  }
  return { parsed: await simpleParser(normalized.raw, PARSER_OPTIONS), parts: normalized.parts };
}

/**
 * The text to show: the text part, else the HTML as text; for a mail without either (broken or body-less), a text
 * part filed as an attachment for a broken disposition, else the text of an attached message (a message forwarded
 * as attachment, or base64-wrapped), else the raw body without MIME scaffolding when the mail has no attachments
 * that it could be.
 */
async function bodyText(raw: Buffer, parsed: ParsedMail, html: string | null, depth: number): Promise<string> {
  if (typeof parsed.text === 'string' && parsed.text.trim() !== '') return parsed.text;
  if (html !== null) {
    const fromHtml = htmlToPlainText(html);
    if (fromHtml !== '') return fromHtml;
  }
  if (html !== null) return '';
  // A text part mailparser filed as an attachment only for a broken Content-Disposition.
  for (const attachment of parsed.attachments) {
    const type = attachment.contentType.toLowerCase();
    if ((type === 'text/plain' || type === 'text/html') && !attachment.filename && attachment.size > 0) {
      const content = attachment.content.toString('utf8');
      return type === 'text/html' ? htmlToPlainText(sanitizeMailHtml(content, [])) : content;
    }
  }
  if (depth < MAX_NESTED_DEPTH) {
    for (const attachment of parsed.attachments) {
      if (!['message/rfc822', 'message/global'].includes(attachment.contentType.toLowerCase())) continue;
      try {
        const inner = await parseNormalized(attachment.content);
        const innerHtml = typeof inner.parsed.html === 'string' ? sanitizeMailHtml(inner.parsed.html, []) : null;
        const innerText = await bodyText(attachment.content, inner.parsed, innerHtml, depth + 1);
        if (innerText.trim() !== '') return innerText;
      } catch {
        // an attached message that cannot be read adds nothing
      }
    }
  }
  if (parsed.attachments.length === 0) {
    const charset = /charset\s*=\s*"?([\w.:-]+)/iu.exec(headersFromLines(parsed.headerLines, ['content-type'])['content-type'] ?? '')?.[1] ?? null;
    return rawBodyText(raw, charset);
  }
  return '';
}

function attachmentMeta(attachment: ParsedMail['attachments'][number]): AttachmentMeta {
  return {
    filename: attachment.filename ?? null,
    contentType: attachment.contentType,
    size: attachment.size,
    contentId: attachment.contentId ?? null,
    inline: attachment.contentDisposition === 'inline' || attachment.related === true,
  };
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flatten = (entry: EmailAddress): EmailAddress[] => (entry.group ? entry.group.flatMap(flatten) : [entry]);
  return objects
    .flatMap((object) => object.value)
    .flatMap(flatten)
    .map((entry) => ({ address: (entry.address ?? '').trim(), name: (entry.name ?? '').trim() }));
}

function isAddress(address: MailAddress): boolean {
  return address.address !== '' || address.name !== '';
}

/** The Date header as ISO time, or null when missing or unreadable (mailparser would say "now" instead). */
function dateOf(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
