import type { AttachmentMeta, MailAddress, MailReceivedPayload } from '@ensoras/contracts';
import {
  CLASSIFICATION_HEADERS,
  classifyMail,
  headersFromLines,
  htmlToPlainText,
  messageIdFromRaw,
  normalizeMessageId,
  parseMessageIdList,
} from '@ensoras/mail';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';

/** Text and HTML are each cut to this many UTF-8 bytes; the event says so in `truncated`. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Headers the event carries (lower-case) for loop and auto-reply decisions downstream: the usual loop and
 * auto-responder headers, our own loop marker (mail-outbound puts it on every reply), and whatever else
 * classifyMail reads, so a consumer can classify again with the same facts.
 */
export const LOOP_HEADERS: readonly string[] = [
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

export interface MailSource {
  mailbox: string;
  uidValidity: string;
  uid: number;
  rawObjectKey: string;
}

export interface ChannelAddresses {
  /** The channel's own addresses (From address, IMAP username): mail from them is our own. */
  ownAddresses: string[];
  /** Domain of the Message-IDs ticketing gives our replies. */
  ownMessageIdDomain: string | null;
}

/** The event would not fit the broker even without HTML and with the text cut away: headers alone are too big. */
export class EventTooLargeError extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(`mail.received event needs ${bytes} bytes even without its bodies; the broker accepts ${limit}`);
    this.name = 'EventTooLargeError';
  }
}

/**
 * mailparser without the work we do not want: no data: URIs for cid images (they would bloat the HTML), no text
 * made from HTML (we use our own converter, the one reply bodies use), no HTML made from text, no link detection.
 */
export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
}

/** The mail.received payload of one parsed mail. Pure: same bytes in, same payload out. */
export function buildMailReceivedPayload(raw: Buffer, parsed: ParsedMail, source: MailSource, channel: ChannelAddresses): MailReceivedPayload {
  const headers = headersFromLines(parsed.headerLines, LOOP_HEADERS);
  const ownMessageId = normalizeMessageId(parsed.messageId);
  const messageId = ownMessageId ?? messageIdFromRaw(raw);
  const from = addressesOf(parsed.from)[0] ?? null;
  const subject = parsed.subject ?? '';
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const text = parsed.text ?? (html !== null ? htmlToPlainText(html) : '');
  const cutText = truncateUtf8(text, MAX_BODY_BYTES);
  const cutHtml = html === null ? null : truncateUtf8(html, MAX_BODY_BYTES);

  return {
    source: { mailbox: source.mailbox, uidValidity: source.uidValidity, uid: source.uid },
    rawObjectKey: source.rawObjectKey,
    size: raw.length,
    messageId,
    messageIdGenerated: ownMessageId === null,
    inReplyTo: parseMessageIdList(parsed.inReplyTo)[0] ?? null,
    references: parseMessageIdList(parsed.references),
    subject,
    from,
    to: addressesOf(parsed.to).filter(isAddress),
    cc: addressesOf(parsed.cc).filter(isAddress),
    replyTo: addressesOf(parsed.replyTo).filter(isAddress),
    date: dateOf(headersFromLines(parsed.headerLines, ['date'])['date']),
    headers,
    text: cutText,
    html: cutHtml,
    truncated: cutText.length < text.length || (html !== null && cutHtml !== null && cutHtml.length < html.length),
    attachments: parsed.attachments.map(
      (attachment): AttachmentMeta => ({
        filename: attachment.filename ?? null,
        contentType: attachment.contentType,
        size: attachment.size,
        contentId: attachment.contentId ?? null,
        inline: attachment.contentDisposition === 'inline' || attachment.related === true,
      }),
    ),
    classification: classifyMail(
      { headers, contentType: headers['content-type'] ?? null, from, subject, messageId: ownMessageId },
      { ownAddresses: channel.ownAddresses, ownMessageIdDomain: channel.ownMessageIdDomain },
    ),
  };
}

/**
 * Makes the event fit one broker message of `maxBytes` (JSON): first the HTML goes (the text stays readable), then
 * the text is cut further. Throws EventTooLargeError when even that is not enough.
 */
export function fitToEventLimit(payload: MailReceivedPayload, maxBytes: number): MailReceivedPayload {
  let size = jsonBytes(payload);
  if (size <= maxBytes) return payload;
  let fitted: MailReceivedPayload = { ...payload, html: null, truncated: true };
  // JSON escaping makes the encoded text longer than its UTF-8 bytes, so cut in a few rounds.
  for (let round = 0; round < 8; round++) {
    size = jsonBytes(fitted);
    if (size <= maxBytes) return fitted;
    const textBytes = Buffer.byteLength(fitted.text, 'utf8');
    if (textBytes === 0) break;
    fitted = { ...fitted, text: truncateUtf8(fitted.text, Math.max(0, textBytes - (size - maxBytes) - 64)) };
  }
  size = jsonBytes(fitted);
  if (size <= maxBytes) return fitted;
  throw new EventTooLargeError(size, maxBytes);
}

/** At most `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  // A cut inside a multi-byte sequence decodes to U+FFFD at the end; drop it.
  return Buffer.from(value, 'utf8').subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/u, '');
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
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
