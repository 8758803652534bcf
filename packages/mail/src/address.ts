/** Small helpers for bare e-mail addresses (`local@domain`), as they come out of an address parser. */

const stripDecoration = (value: string): string => {
  let address = value.trim();
  if (address.slice(0, 7).toLowerCase() === 'mailto:') address = address.slice(7);
  if (address.startsWith('<')) address = address.slice(1).trimStart();
  if (address.endsWith('>')) address = address.slice(0, -1).trimEnd();
  return address.trim();
};

/** The lower-cased domain of an address (`"Support@Example.COM"` → `"example.com"`); `''` when there is none. */
export function domainOf(email: string): string {
  const address = stripDecoration(email);
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  return address
    .slice(at + 1)
    .trim()
    .replace(/\.$/, '')
    .toLowerCase();
}

/** The local part of an address (`"MAILER-DAEMON@example.com"` → `"MAILER-DAEMON"`); the whole value when there is no `@`. */
export function localPartOf(email: string): string {
  const address = stripDecoration(email);
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
}

/** Canonical form for comparing addresses: trimmed, without angle brackets or `mailto:`, lower-cased. */
export function canonicalAddress(email: string | null | undefined): string {
  return stripDecoration(email ?? '').toLowerCase();
}

/**
 * Whether two addresses name the same mailbox, case-insensitively and ignoring surrounding whitespace.
 * An empty or missing address is the same as nothing, not even another empty one.
 */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = canonicalAddress(a);
  return left !== '' && left === canonicalAddress(b);
}

/** Letters (with their marks) first, then letters, spaces and the punctuation of names; at most 64 characters. */
const PERSONAL_NAME = /^[\p{L}\p{M}][\p{L}\p{M} .,'’-]{0,63}$/u;

/**
 * A display name as people write their own (`Jane Doe`, `O’Brien, Seán`), or `''`: what we put beside an address
 * in our mail, so that a crafted name (a sentence, a link, a forged turn) is never mailed on from the tenant's server.
 */
export function personalName(name: string | null | undefined): string {
  const collapsed = (name ?? '').replace(/\s+/gu, ' ').trim();
  return PERSONAL_NAME.test(collapsed) ? collapsed : '';
}
