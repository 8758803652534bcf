/**
 * Subject normalisation for threading and for the subject of our replies.
 *
 * Mail clients prefix replies and forwards in their own language ("Re:", "AW:", "Sv:", "回复：", "WG:", "TR:" ...),
 * sometimes numbered ("Re[2]:", "Re(2):", "Re^2:"), sometimes stacked ("RE: Fwd[6]: RE:"), and mailing lists put
 * their tag in front ("[list-name] Re: ..."). Threading compares what is left.
 */

import { TRUNCATION_MARKER } from './inbound/inbound-budget.js';

/** Reply prefixes, as written before the colon. Matched case-insensitively. */
const REPLY_PREFIXES = [
  'Re', // English, Latin
  'Aw', // German (Antwort)
  'Antw', // German, Dutch
  'Antwort', // German
  'Sv', // Swedish, Norwegian, Danish (svar)
  'Vs', // Finnish (vastaus)
  'Ref', // French, Spanish (référence)
  'Réf', // French
  'Rif', // Italian (riferimento)
  'R', // Italian
  'Odp', // Polish (odpowiedź)
  'Vá', // Hungarian (válasz)
  'Ynt', // Turkish (yanıt)
  '回复', // Chinese, simplified
  '回覆', // Chinese, traditional
  '答复', // Chinese
] as const;

/** Forward prefixes, as written before the colon. Matched case-insensitively. */
const FORWARD_PREFIXES = [
  'Fwd', // English
  'Fw', // English (Outlook)
  'WG', // German (weitergeleitet)
  'TR', // French (transféré)
  'Doorst', // Dutch (doorgestuurd)
  'İlt', // Turkish (iletildi)
  'Ilt', // Turkish, written without the dot
  'RV', // Spanish (reenviado)
  'ENC', // Portuguese (encaminhado)
  '转发', // Chinese
  '轉寄', // Chinese, traditional
] as const;

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Longest first, so that "Antwort" is not read as "Antw" followed by garbage. */
const alternation = (prefixes: readonly string[]): string =>
  [...prefixes]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');

/** `[2]`, `(2)`, `^2` after the prefix word, optionally spaced. */
const COUNTER = String.raw`(?:\s*(?:\[\s*\d+\s*\]|\(\s*\d+\s*\)|\^\s*\d+))?`;
/** ASCII or full-width colon; French style allows a space before it and a dot after the abbreviation ("Réf. :"). */
const COLON = String.raw`\.?\s*[:：]`;

const prefixPattern = (prefixes: readonly string[]): string => String.raw`(?:${alternation(prefixes)})${COUNTER}${COLON}`;

const REPLY_PREFIX = prefixPattern(REPLY_PREFIXES);
const FORWARD_PREFIX = prefixPattern(FORWARD_PREFIXES);
/** A mailing-list tag such as `[support-list]`. */
const LIST_TAG = String.raw`\[[^\]\r\n]*\]`;

/** One leading reply/forward prefix or list tag, with the whitespace after it. */
const LEADING_NOISE = new RegExp(String.raw`^(?:${REPLY_PREFIX}|${FORWARD_PREFIX}|${LIST_TAG})\s*`, 'iu');
const STARTS_WITH_REPLY = new RegExp(String.raw`^(?:${LIST_TAG}\s*)*${REPLY_PREFIX}`, 'iu');
const STARTS_WITH_FORWARD = new RegExp(String.raw`^(?:${LIST_TAG}\s*)*${FORWARD_PREFIX}`, 'iu');

/** The patterns built above, exported for the package's regex safety check (not for use elsewhere). */
export const SUBJECT_PATTERNS = { LEADING_NOISE, STARTS_WITH_REPLY, STARTS_WITH_FORWARD } as const;

/** What replySubject uses for a ticket without a subject; never a thread key. */
export const NO_SUBJECT = '(no subject)';

const collapseWhitespace = (value: string): string => value.replace(/\s+/gu, ' ').trim();

/**
 * The subject without any run of leading reply/forward prefixes and list tags, whitespace collapsed,
 * case preserved: `"RE: Fwd[6]: RE:  Order   42"` → `"Order 42"`.
 */
export function normalizeSubject(subject: string | null | undefined): string {
  let rest = collapseWhitespace(subject ?? '');
  for (;;) {
    const match = LEADING_NOISE.exec(rest);
    if (!match) return rest;
    rest = rest.slice(match[0].length);
  }
}

/**
 * The key two subjects of one conversation share: the lower-cased normalised subject. Null when nothing is left
 * (an empty or prefix-only subject, or our own "(no subject)" placeholder), so such mail never joins a ticket by subject.
 */
export function subjectThreadKey(subject: string | null | undefined): string | null {
  const key = normalizeSubject(subject).normalize('NFC').toLowerCase();
  if (key === '' || key === NO_SUBJECT) return null;
  return key;
}

/** True when the subject starts (after any list tags) with a reply prefix such as "Re:", "AW:", "Sv:" or "回复：". */
export function hasReplyPrefix(subject: string | null | undefined): boolean {
  return STARTS_WITH_REPLY.test(collapseWhitespace(subject ?? ''));
}

/** True when the subject starts (after any list tags) with a forward prefix such as "Fwd:", "WG:" or "TR:". */
export function hasForwardPrefix(subject: string | null | undefined): boolean {
  return STARTS_WITH_FORWARD.test(collapseWhitespace(subject ?? ''));
}

/**
 * The subject of our reply on a ticket: exactly one "Re: ", never "Re: Re:"; `Re: (no subject)` for an empty one.
 * A subject cut at intake keeps its start, without the `[truncated]` marker: that is a note for agents, not the
 * customer.
 */
export function replySubject(ticketSubject: string): string {
  const normalized = normalizeSubject(withoutTruncationMarker(ticketSubject));
  return `Re: ${normalized === '' ? NO_SUBJECT : normalized}`;
}

function withoutTruncationMarker(subject: string): string {
  const trimmed = subject.trimEnd();
  if (!trimmed.endsWith(TRUNCATION_MARKER)) return subject;
  const before = trimmed.slice(0, -TRUNCATION_MARKER.length).trimEnd();
  return before.endsWith('…') ? before.slice(0, -1) : before;
}
