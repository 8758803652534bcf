/**
 * Mail content on its way into the prompt: text that anyone can write, so it must not be able to pass for our
 * own structure. Each message sits between delimiters carrying a random per-request nonce (see PromptBuilder);
 * these functions take out of the content what could pose as such a delimiter or hide text from a reader.
 */

/**
 * Control and invisible formatting characters: C0 (but tab and newline), DEL and C1, zero-width characters,
 * bidirectional overrides and isolates, the BOM, interlinear annotation marks. They can hide or reorder text.
 */
const HIDDEN_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;

/** The start of anything that reads like a message delimiter: `<message`, `</message`, `< / MESSAGE-…`. */
const DELIMITER_LIKE = /<(\s*\/?\s*message)/giu;

/** Replaces the `<` of a delimiter-like tag: still readable, never a tag. */
const NEUTRAL_BRACKET = '‹';

/** A message body as the prompt shows it: line breaks kept, hidden characters removed, delimiter-like tags defused. */
export function promptSafeText(text: string): string {
  return text.replace(/\r\n?/gu, '\n').replace(HIDDEN_CHARACTERS, '').replace(DELIMITER_LIKE, `${NEUTRAL_BRACKET}$1`);
}

/**
 * A value for a delimiter's attribute (a display name, an address, a subject): one line, no quotes or angle
 * brackets that could close the attribute or the tag, at most `maxLength` characters.
 */
export function promptSafeAttribute(value: string, maxLength: number): string {
  const line = value
    .replace(HIDDEN_CHARACTERS, '')
    .replace(/\s+/gu, ' ')
    .replace(/"/gu, "'")
    .replace(/</gu, NEUTRAL_BRACKET)
    .replace(/>/gu, '›')
    .trim();
  if (line.length <= maxLength) return line;
  // Never half a surrogate pair.
  const end = /[\ud800-\udbff]/u.test(line[maxLength - 1] ?? '') ? maxLength - 1 : maxLength;
  return `${line.slice(0, end)}…`;
}
