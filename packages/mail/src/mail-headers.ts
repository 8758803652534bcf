/**
 * Raw header lines → the `Record<lower-case name, value>` that classification and the mail.received event carry.
 */
import { parseHeaderValue } from 'nodemailer/lib/mime-funcs';

/** One raw header as mailparser's `headerLines` gives it: lower-case key, and the whole (possibly folded) line. */
export interface RawHeaderLine {
  key: string;
  line: string;
}

/** Unfolds a header value (RFC 5322 folding: a line break followed by whitespace) and trims it. */
export function unfoldHeaderValue(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '').replace(/[ \t]+/g, ' ').trim();
}

/**
 * Lower-case header names mapped to the unfolded value of their first occurrence. Pass `only` to keep just the
 * named headers (for example {@link CLASSIFICATION_HEADERS}).
 */
export function headersFromLines(lines: readonly RawHeaderLine[], only?: readonly string[]): Record<string, string> {
  const wanted = only ? new Set(only.map((name) => name.toLowerCase())) : null;
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const name = key.trim().toLowerCase();
    if (name === '' || name in headers || (wanted && !wanted.has(name))) continue;
    const colon = line.indexOf(':');
    headers[name] = unfoldHeaderValue(colon < 0 ? '' : line.slice(colon + 1));
  }
  return headers;
}

/** A Content-Type (or similar) header split into its lower-cased media type and parameters (lower-case names). */
export interface ParsedContentType {
  mediaType: string;
  params: Record<string, string>;
}

export function parseContentType(value: string | null | undefined): ParsedContentType | null {
  if (!value || value.trim() === '') return null;
  const parsed = parseHeaderValue(value, { stripComments: true });
  return { mediaType: parsed.value.trim().toLowerCase(), params: parsed.params };
}
