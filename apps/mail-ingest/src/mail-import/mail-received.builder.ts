import type { MailReceivedPayload } from '@ensoras/contracts';
import { parseInboundMail, truncateUtf8, type InboundChannel } from '@ensoras/mail';

export { MAX_BODY_BYTES, truncateUtf8 } from '@ensoras/mail';

export interface MailSource {
  mailbox: string;
  uidValidity: string;
  uid: number;
  rawObjectKey: string;
}

/** What the importer knows of the channel for parsing: its own addresses and its size limit. */
export type ChannelAddresses = InboundChannel & { ownMessageIdDomain: string | null };

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
export async function buildMailReceivedPayload(raw: Buffer, source: MailSource, channel: ChannelAddresses): Promise<MailReceivedPayload> {
  const inbound = await parseInboundMail(raw, channel);
  return {
    source: { mailbox: source.mailbox, uidValidity: source.uidValidity, uid: source.uid },
    rawObjectKey: source.rawObjectKey,
    ...inbound,
  };
}

/**
 * Makes the event fit one broker message of `maxBytes` (JSON): first the HTML goes (the text stays readable), then
 * the text and its new part are cut further. Throws EventTooLargeError when even that is not enough.
 */
export function fitToEventLimit(payload: MailReceivedPayload, maxBytes: number): MailReceivedPayload {
  let size = jsonBytes(payload);
  if (size <= maxBytes) return payload;
  let fitted: MailReceivedPayload = { ...payload, html: null, truncated: true };
  // The text and its new part share what the rest of the event leaves, in proportion to their encoded size. JSON
  // escaping makes the encoded text longer than its UTF-8 bytes, so cut in a few rounds.
  const overhead = jsonBytes({ ...fitted, text: '', newText: '' });
  const budget = maxBytes - overhead - 64;
  for (let round = 0; round < 8 && budget > 0; round++) {
    size = jsonBytes(fitted);
    if (size <= maxBytes) return fitted;
    const encoded = size - overhead;
    const share = (value: string): string => truncateUtf8(value, Math.floor((Buffer.byteLength(value, 'utf8') * budget) / encoded));
    fitted = { ...fitted, text: share(fitted.text), newText: share(fitted.newText) };
  }
  size = jsonBytes(fitted);
  if (size <= maxBytes) return fitted;
  throw new EventTooLargeError(size, maxBytes);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
