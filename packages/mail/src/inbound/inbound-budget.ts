/**
 * Every field of a parsed mail within a size budget, so that one mail can never make an event too large for the
 * broker (NATS accepts 1 MiB by default; a 560 KB display name used to give a 1.1 MB event downstream). What is cut
 * says so with a visible marker; the raw mail itself stays whole in the object store.
 *
 * The bounds, summed up, stay far below 1 MiB: subject 1,000 characters; each name 200 and address 320; at most 100
 * addresses per list; References the root and the last 50; 1,000 characters per kept header value and per
 * classification reason (at most 40 reasons); 250 attachments listed with file names and types of 255 characters;
 * text, its new part and the HTML MAX_BODY_BYTES each (cut before by parseInboundMail).
 */
import type { AttachmentMeta, BounceDetails, MailAddress } from '@ensoras/contracts';

/** What a cut field ends with. */
export const TRUNCATION_MARKER = '[truncated]';

export const INBOUND_LIMITS = {
  subjectChars: 1_000,
  nameChars: 200,
  addressChars: 320,
  addressesPerList: 100,
  /** References keep the first (the thread's root) and this many of the last. */
  lastReferences: 50,
  headerValueChars: 1_000,
  reasonChars: 1_000,
  reasons: 40,
  attachments: 250,
  attachmentFieldChars: 255,
  contentIdChars: 998,
} as const;

/** At most `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (value.length <= maxBytes / 3 || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  // A cut inside a multi-byte sequence decodes to U+FFFD at the end; drop it.
  const cut = Buffer.from(value, 'utf8').subarray(0, Math.max(0, maxBytes)).toString('utf8');
  let end = cut.length;
  while (end > 0 && cut.charCodeAt(end - 1) === 0xfffd) end -= 1;
  return cut.slice(0, end);
}

/** A one-line value of at most `maxChars` characters, ending in ` …[truncated]` when cut. */
export function cutLine(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  const marker = ` …${TRUNCATION_MARKER}`;
  let end = Math.max(0, maxChars - marker.length);
  // Never leave half a surrogate pair.
  if (end > 0 && value.charCodeAt(end - 1) >= 0xd800 && value.charCodeAt(end - 1) <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}${marker}`;
}

/** Text of at most `maxBytes` UTF-8 bytes, ending in a line `[truncated]` when cut. */
export function cutText(value: string, maxBytes: number): string {
  if (value.length <= maxBytes / 3 || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const marker = `\n${TRUNCATION_MARKER}`;
  return `${truncateUtf8(value, maxBytes - marker.length)}${marker}`;
}

/** HTML of at most `maxBytes`, cut before a tag it would split, ending in a `[truncated]` paragraph when cut. */
export function cutHtml(value: string, maxBytes: number): string {
  if (value.length <= maxBytes / 3 || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const marker = `<p>${TRUNCATION_MARKER}</p>`;
  const cut = truncateUtf8(value, maxBytes - marker.length);
  const lastOpen = cut.lastIndexOf('<');
  const whole = lastOpen > cut.lastIndexOf('>') ? cut.slice(0, lastOpen) : cut;
  return `${whole}${marker}`;
}

export function boundAddress(address: MailAddress): MailAddress {
  return { address: cutLine(address.address, INBOUND_LIMITS.addressChars), name: cutLine(address.name, INBOUND_LIMITS.nameChars) };
}

export const boundAddresses = (addresses: readonly MailAddress[], max: number = INBOUND_LIMITS.addressesPerList): MailAddress[] =>
  addresses.slice(0, max).map(boundAddress);

/** The thread's root and the last `keepLast` References; the ones between say nothing threading needs. */
export function boundReferences(references: readonly string[], keepLast: number = INBOUND_LIMITS.lastReferences): string[] {
  if (references.length <= keepLast + 1) return [...references];
  return [references[0]!, ...references.slice(-keepLast)];
}

export function boundHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, cutLine(value, INBOUND_LIMITS.headerValueChars)]));
}

export const boundReasons = (reasons: readonly string[], max: number = INBOUND_LIMITS.reasons): string[] =>
  reasons.slice(0, max).map((reason) => cutLine(reason, INBOUND_LIMITS.reasonChars));

/** The first INBOUND_LIMITS.attachments attachments (their indexes stay what the HTML's `ensoras-attachment:` use). */
export const boundAttachments = (attachments: readonly AttachmentMeta[], max: number = INBOUND_LIMITS.attachments): AttachmentMeta[] =>
  attachments.slice(0, max).map((attachment) => ({
    ...attachment,
    filename: attachment.filename === null ? null : cutLine(attachment.filename, INBOUND_LIMITS.attachmentFieldChars),
    contentType: cutLine(attachment.contentType, INBOUND_LIMITS.attachmentFieldChars),
    contentId: attachment.contentId === null ? null : cutLine(attachment.contentId, INBOUND_LIMITS.contentIdChars),
  }));

export function boundBounce(bounce: BounceDetails | null): BounceDetails | null {
  if (bounce === null) return null;
  return {
    ...bounce,
    recipient: bounce.recipient === null ? null : cutLine(bounce.recipient, INBOUND_LIMITS.addressChars),
    status: bounce.status === null ? null : cutLine(bounce.status, 32),
    diagnostic: bounce.diagnostic === null ? null : cutLine(bounce.diagnostic, INBOUND_LIMITS.headerValueChars),
  };
}
