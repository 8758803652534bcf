import type { MailReceivedPayload } from '@ensoras/contracts';
import { boundAddresses, boundReferences, cutText, parseInboundMail, type InboundChannel, type InboundMail } from '@ensoras/mail';

export { MAX_BODY_BYTES, truncateUtf8 } from '@ensoras/mail';

export interface MailSource {
  mailbox: string;
  uidValidity: string;
  uid: number;
  rawObjectKey: string;
}

/** What the importer knows of the channel for parsing: its own addresses and its size limit. */
export type ChannelAddresses = InboundChannel & { ownMessageIdDomain: string | null };

/** How a mail's bytes become its parsed form: in a worker with a time limit in the service, in-process in specs. */
export type ParseMail = (raw: Buffer, channel: InboundChannel) => Promise<InboundMail>;

/** The event would not fit the broker even without HTML and with the text cut away: headers alone are too big. */
export class EventTooLargeError extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(`mail.received event needs ${bytes} bytes even without its bodies; the broker accepts ${limit}`);
    this.name = 'EventTooLargeError';
  }
}

/**
 * The mail.received payload of one mail: the shared parse path of @ensoras/mail (decoding, classification,
 * bounce details, sanitised HTML, new part of a reply, size limit), plus where the mail came from. Same bytes in,
 * same payload out. Rejects only when the mail cannot be parsed at all (the importer quarantines it).
 */
export async function buildMailReceivedPayload(
  raw: Buffer,
  source: MailSource,
  channel: ChannelAddresses,
  parse: ParseMail = parseInboundMail,
): Promise<MailReceivedPayload> {
  const inbound = await parse(raw, channel);
  return {
    source: { mailbox: source.mailbox, uidValidity: source.uidValidity, uid: source.uid },
    rawObjectKey: source.rawObjectKey,
    ...inbound,
  };
}

/**
 * Makes the event fit one broker message of `maxBytes` (JSON). parseInboundMail already keeps every field within
 * its budget (far below NATS's default 1 MiB); for a broker configured smaller, first the HTML goes (the text stays
 * readable), then the text and its new part are cut further (ending in `[truncated]`), then the lists are cut to a
 * few entries. Throws EventTooLargeError when even that is not enough.
 */
export function fitToEventLimit(payload: MailReceivedPayload, maxBytes: number): MailReceivedPayload {
  if (jsonBytes(payload) <= maxBytes) return payload;
  const withoutHtml: MailReceivedPayload = { ...payload, html: null, truncated: true };
  const bodiesCut = cutBodies(withoutHtml, maxBytes);
  if (bodiesCut !== null) return bodiesCut;
  const compact: MailReceivedPayload = {
    ...withoutHtml,
    references: boundReferences(payload.references, COMPACT_LIST_LENGTH),
    to: boundAddresses(payload.to, COMPACT_LIST_LENGTH),
    cc: boundAddresses(payload.cc, COMPACT_LIST_LENGTH),
    replyTo: boundAddresses(payload.replyTo, COMPACT_LIST_LENGTH),
    attachments: payload.attachments.slice(0, COMPACT_LIST_LENGTH),
    classification: { ...payload.classification, reasons: payload.classification.reasons.slice(0, COMPACT_LIST_LENGTH) },
  };
  const compactCut = cutBodies(compact, maxBytes);
  if (compactCut !== null) return compactCut;
  throw new EventTooLargeError(jsonBytes({ ...compact, text: '', newText: '' }), maxBytes);
}

/** Lists keep this many entries when the event must shrink beyond the bodies. */
const COMPACT_LIST_LENGTH = 10;

/** The text and its new part cut to share what the rest of the event leaves; null when even empty bodies do not fit. */
function cutBodies(payload: MailReceivedPayload, maxBytes: number): MailReceivedPayload | null {
  const overhead = jsonBytes({ ...payload, text: '', newText: '' });
  const budget = maxBytes - overhead - 64;
  if (budget <= 0) return null;
  let fitted = payload;
  // JSON escaping makes the encoded text longer than its UTF-8 bytes, so cut in a few rounds.
  for (let round = 0; round < 8; round++) {
    const size = jsonBytes(fitted);
    if (size <= maxBytes) return fitted;
    const encoded = size - overhead;
    const share = (value: string): string => cutText(value, Math.floor((Buffer.byteLength(value, 'utf8') * budget) / encoded));
    fitted = { ...fitted, text: share(fitted.text), newText: share(fitted.newText), truncated: true };
  }
  return jsonBytes(fitted) <= maxBytes ? fitted : null;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
