/**
 * The Authentication-Results header (RFC 8601) that a receiving mail server adds: which checks it ran on the mail
 * (SPF, DKIM, DMARC ...) and what came out. We read it to tell our own mail from mail forged `From:` our address.
 *
 * Only the topmost header counts: it is the one the receiving server added last; anything below it travelled with
 * the mail and may have been written by the sender.
 */
import { domainOf } from './address.js';

export interface AuthenticationResult {
  /** Lower-case method name without version: `spf`, `dkim`, `dmarc`, `arc` ... */
  method: string;
  /** Lower-case result: `pass`, `fail`, `softfail`, `none` ... */
  result: string;
  /** `ptype.property` (lower-case) → value, e.g. `header.from` → `example.com`, `smtp.mailfrom` → `a@example.com`. */
  properties: Record<string, string>;
}

export interface AuthenticationResults {
  /** The server that wrote the header (authserv-id), lower-case. */
  authservId: string;
  results: AuthenticationResult[];
}

/** The header value without its (possibly nested) comments; quoted strings kept whole. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += value.slice(index, index + 2);
      index += 1;
    } else if (quoted) {
      out += char;
      if (char === '"') quoted = false;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')' && depth > 0) {
      depth -= 1;
      if (depth === 0) out += ' ';
    } else if (depth === 0) {
      if (char === '"') quoted = true;
      out += char;
    }
  }
  return out;
}

/** Splits at `separator` (a single character) outside double quotes. */
function splitOutsideQuotes(value: string, separator: (char: string) => boolean): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && quoted) {
      current += value.slice(index, index + 2);
      index += 1;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (!quoted && separator(char)) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const unquote = (value: string): string => (value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\(.)/gu, '$1') : value);

const isWhitespace = (char: string): boolean => char === ' ' || char === '\t' || char === '\r' || char === '\n';

/** Null when the value is empty or does not start with an authserv-id. */
export function parseAuthenticationResults(value: string | null | undefined): AuthenticationResults | null {
  if (!value) return null;
  const [head, ...resinfos] = splitOutsideQuotes(withoutComments(value), (char) => char === ';');
  const authservId = head?.split(/[ \t\r\n]/u)[0]?.toLowerCase() ?? '';
  if (authservId === '') return null;
  const results: AuthenticationResult[] = [];
  for (const resinfo of resinfos) {
    const [methodSpec, ...rest] = splitOutsideQuotes(resinfo, isWhitespace);
    const equals = methodSpec?.indexOf('=') ?? -1;
    if (!methodSpec || equals <= 0) continue;
    const method = methodSpec.slice(0, equals).split('/')[0]!.trim().toLowerCase();
    const result = methodSpec.slice(equals + 1).trim().toLowerCase();
    const properties: Record<string, string> = {};
    for (const token of rest) {
      const at = token.indexOf('=');
      if (at <= 0) continue;
      const key = token.slice(0, at).toLowerCase();
      if (!(key in properties)) properties[key] = unquote(token.slice(at + 1));
    }
    results.push({ method, result, properties });
  }
  return { authservId, results };
}

/**
 * What in the header vouches for `domain` as the sender: DMARC passed for it (`header.from` is the domain, or absent:
 * DMARC is about the From domain by definition), or SPF passed for an envelope sender on it (`smtp.mailfrom`).
 * Null when nothing does.
 */
export function authenticatedSenderProof(results: AuthenticationResults | null, domain: string): string | null {
  const wanted = domain.trim().toLowerCase();
  if (results === null || wanted === '') return null;
  const passed = results.results.filter((entry) => entry.result === 'pass');
  // DMARC first: it is about the From domain itself; SPF only about the envelope sender.
  for (const { method, properties } of passed) {
    const from = properties['header.from']?.trim().toLowerCase();
    if (method === 'dmarc' && (from === undefined || from === wanted)) return `Authentication-Results (${results.authservId}): dmarc=pass for ${wanted}`;
  }
  for (const { method, properties } of passed) {
    const mailFrom = properties['smtp.mailfrom']?.trim() ?? '';
    const mailFromDomain = mailFrom.includes('@') ? domainOf(mailFrom) : mailFrom.toLowerCase();
    if (method === 'spf' && mailFromDomain === wanted) return `Authentication-Results (${results.authservId}): spf=pass for ${wanted}`;
  }
  return null;
}
