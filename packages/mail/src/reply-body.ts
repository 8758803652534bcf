/**
 * The text and HTML parts of an outgoing reply, with the channel's signature.
 */
import { compile } from 'html-to-text';

/** The RFC 3676 signature separator: dash, dash, space, on a line of its own. */
export const SIGNATURE_SEPARATOR = '-- ';

const convertHtml = compile({
  wordwrap: false,
  selectors: [
    // Keep links readable: "text [https://...]", without repeating an href that equals its text.
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    { selector: 'img', format: 'skip' },
  ],
});

/** Plain text of an HTML fragment or document: no word wrapping, links kept as `text [href]`. */
export function htmlToPlainText(html: string): string {
  return convertHtml(html).trim();
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** The paragraph without the line breaks it starts or ends with (a loop: `/^\n+|\n+$/` is quadratic on long runs). */
function withoutOuterLineBreaks(paragraph: string): string {
  let start = 0;
  let end = paragraph.length;
  while (start < end && paragraph.charCodeAt(start) === 10) start += 1;
  while (end > start && paragraph.charCodeAt(end - 1) === 10) end -= 1;
  return paragraph.slice(start, end);
}

/**
 * Plain text as HTML paragraphs: blank lines separate `<p>` paragraphs, single line breaks become `<br>`,
 * everything escaped.
 */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(withoutOuterLineBreaks)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

export interface ReplyBodiesInput {
  /** The reply as plain text. */
  text: string;
  /** The reply as HTML, when the author wrote one; otherwise made from the text. */
  html?: string | null;
  /** The channel's HTML signature, appended to both parts. */
  signatureHtml?: string | null;
}

export interface ReplyBodies {
  text: string;
  html: string;
}

/**
 * Both parts of a reply. The text part is the text, then (with a signature) a blank line, the `-- ` separator and
 * the signature as text. The HTML part is the given HTML or the text escaped into paragraphs, then the signature HTML
 * in `<div class="signature">`.
 */
export function composeReplyBodies(input: ReplyBodiesInput): ReplyBodies {
  const signatureHtml = input.signatureHtml?.trim() ? input.signatureHtml.trim() : null;
  const html = input.html?.trim() ? input.html : textToHtml(input.text);
  if (signatureHtml === null) return { text: input.text, html };

  const signatureText = htmlToPlainText(signatureHtml);
  const text =
    signatureText === '' ? input.text : `${input.text.trimEnd()}\n\n${SIGNATURE_SEPARATOR}\n${signatureText}`;
  return { text, html: `${html}\n<div class="signature">${signatureHtml}</div>` };
}
