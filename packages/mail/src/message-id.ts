/**
 * Message-IDs in their angle-bracketed form (`<left@right>`), the form threading stores and compares.
 */
import { createHash, randomUUID } from 'node:crypto';
import { domainOf } from './address.js';

/** Domain of the Message-IDs we make up for received mail that carried none. */
export const GENERATED_MESSAGE_ID_DOMAIN = 'ensoras.invalid';

/** RFC 5322 caps a line at 998 characters; anything longer is not an id we want to store. */
const MAX_MESSAGE_ID_LENGTH = 998;

/**
 * The id between the brackets, when it looks like one: `left@right`, both sides non-empty,
 * no whitespace, brackets or control characters.
 */
const isPlausibleIdBody = (body: string): boolean => {
  if (body.length === 0 || body.length > MAX_MESSAGE_ID_LENGTH - 2) return false;
  if (/[\s<>\u0000-\u001f\u007f]/u.test(body)) return false;
  const at = body.lastIndexOf('@');
  return at > 0 && at < body.length - 1;
};

/**
 * A Message-ID in `<left@right>` form: trims, adds missing brackets, takes the first bracketed id when the value
 * holds more (`"<a@b> (comment)"`). Null for an empty value or anything that is not an id.
 */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const bracketed = /<([^<>]*)>/u.exec(trimmed);
  // Without a complete pair, a lone bracket on either side is dropped ("<a@b", "a@b>").
  const body = (bracketed ? bracketed[1]! : trimmed.replace(/^</u, '').replace(/>$/u, '')).trim();
  return isPlausibleIdBody(body) ? `<${body}>` : null;
}

/**
 * The ids of a References or In-Reply-To header (or mailparser's string | string[] of them) in order of appearance,
 * without duplicates. Tolerates missing brackets, separators of spaces, commas or folded lines, whitespace inside the
 * brackets, and skips what is not an id (phrases, empty brackets, garbage).
 */
export function parseMessageIdList(value: string | string[] | null | undefined): string[] {
  if (value == null) return [];
  const values = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const item of values) {
    if (typeof item !== 'string') continue;
    // A bracketed id (whitespace inside is folding noise), or a bare token between separators.
    for (const match of item.matchAll(/<([^<>]*)>|([^\s,;<>]+)/gu)) {
      const candidate = match[1] !== undefined ? match[1].replace(/\s+/gu, '') : match[2]!;
      const id = normalizeMessageId(candidate);
      if (id !== null && !seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return ids;
}

/** A new, globally unique Message-ID on the sender's domain: `<uuid@domain-of-fromEmail>`. */
export function generateMessageId(fromEmail: string): string {
  const domain = domainOf(fromEmail) || GENERATED_MESSAGE_ID_DOMAIN;
  return `<${randomUUID()}@${domain}>`;
}

/** The form generateMessageId gives: a version 4 UUID, lower-case, on a domain. */
const GENERATED_ID_LEFT = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

/**
 * Whether `messageId` has the form of the ids we generate for our replies (generateMessageId) on `domain`. A form,
 * not a proof: anyone can write such an id; whoever keeps the ids it sent can check that it is one of them.
 */
export function isGeneratedMessageIdOn(messageId: string | null | undefined, domain: string | null | undefined): boolean {
  const id = normalizeMessageId(messageId);
  const wanted = domain?.trim().toLowerCase();
  if (id === null || !wanted) return false;
  const at = id.lastIndexOf('@');
  return GENERATED_ID_LEFT.test(id.slice(1, at)) && id.slice(at + 1, -1).toLowerCase() === wanted;
}

/**
 * A stable Message-ID for received mail that had none, derived from its raw bytes, so that importing the same mail
 * twice gives the same id: `<sha256hex.generated@ensoras.invalid>`.
 */
export function messageIdFromRaw(raw: Buffer): string {
  const digest = createHash('sha256').update(raw).digest('hex');
  return `<${digest}.generated@${GENERATED_MESSAGE_ID_DOMAIN}>`;
}

/** The lower-cased domain part of a Message-ID (`"<x@Mail.Example.com>"` → `"mail.example.com"`), or null. */
export function messageIdDomain(messageId: string | null | undefined): string | null {
  const id = normalizeMessageId(messageId);
  if (id === null) return null;
  return id.slice(id.lastIndexOf('@') + 1, -1).toLowerCase();
}
