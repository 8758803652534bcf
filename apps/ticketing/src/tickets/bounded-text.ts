/**
 * Cutting text to a size in the event that carries it. Sizes are the bytes a string takes inside the JSON of the
 * event (UTF-8 plus JSON escapes, without the quotes), which is what NATS counts against its payload limit.
 */

/** Appended wherever something was cut, so that a reader of the event sees that the rest is in the ticket. */
export const TRUNCATION_MARKER = '… [truncated]';

/** The bytes one code point takes inside a JSON string (JSON.stringify's escapes). */
function jsonCodePointBytes(codePoint: number): number {
  if (codePoint === 0x22 || codePoint === 0x5c) return 2; // \" and \\
  if (codePoint === 0x08 || codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0c || codePoint === 0x0d) return 2;
  if (codePoint < 0x20) return 6; // \u00XX
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 6; // a lone surrogate is written as \uDXXX
  if (codePoint < 0x10000) return 3;
  return 4;
}

/** How many bytes `text` takes inside a JSON document, quotes not counted. */
export function jsonByteLength(text: string): number {
  let bytes = 0;
  for (const character of text) bytes += jsonCodePointBytes(character.codePointAt(0)!);
  return bytes;
}

const MARKER_BYTES = jsonByteLength(TRUNCATION_MARKER);

/**
 * The text as it is when it fits in `maxBytes`, else its longest start that fits with the marker after it. Whole
 * code points only (a surrogate pair is never split); a budget too small for the marker gives the bare start.
 */
export function cutText(text: string, maxBytes: number): string {
  const limit = Math.max(0, Math.floor(maxBytes));
  if (text.length <= limit / 6 || jsonByteLength(text) <= limit) return text;
  const withMarker = limit >= MARKER_BYTES;
  const room = withMarker ? limit - MARKER_BYTES : limit;
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = jsonCodePointBytes(character.codePointAt(0)!);
    if (bytes + size > room) break;
    bytes += size;
    end += character.length;
  }
  return withMarker ? text.slice(0, end) + TRUNCATION_MARKER : text.slice(0, end);
}

/**
 * HTML cut like text, but never inside a tag: a tag left open at the cut is dropped, so whatever renders or
 * converts the start sees complete tags (unclosed elements are fine for any HTML parser).
 */
export function cutHtml(html: string, maxBytes: number): string {
  const cut = cutText(html, maxBytes);
  if (cut === html || !cut.endsWith(TRUNCATION_MARKER)) return cut;
  const start = cut.slice(0, -TRUNCATION_MARKER.length);
  const openTag = start.lastIndexOf('<');
  const kept = openTag > start.lastIndexOf('>') ? start.slice(0, openTag) : start;
  return kept + TRUNCATION_MARKER;
}

/**
 * Shares `totalBytes` among texts so that each keeps as much as it can: smaller texts keep all they have, and
 * what they leave goes to the larger ones (each of which then gets an equal share). Returns the budget of each,
 * in the order given.
 */
export function shareBudget(sizes: readonly number[], totalBytes: number): number[] {
  const budgets = new Array<number>(sizes.length).fill(0);
  let remaining = Math.max(0, totalBytes);
  const bySize = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  bySize.forEach(({ size, index }, position) => {
    const share = Math.floor(remaining / (bySize.length - position));
    budgets[index] = Math.min(size, share);
    remaining -= budgets[index];
  });
  return budgets;
}
