/**
 * Mail clients quote the whole thread below (or inside) a reply. The prompt already holds the conversation, so
 * repeating it only costs tokens and confuses which text is new; these cut it off.
 */

/** Lines that start the quoted original: attribution lines and separators of the common clients. */
const QUOTE_HEADERS: RegExp[] = [
  /^On\b.{1,300}\bwrote:\s*$/i,
  /^Am\b.{1,300}\bschrieb\b.{0,200}:\s*$/i,
  /^Le\b.{1,300}\ba écrit\s*:\s*$/i,
  /^El\b.{1,300}\bescribió:\s*$/i,
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
];

/** Outlook's quote header: a From: line followed by Sent:/Date:/To:. */
const OUTLOOK_FROM = /^\*?(?:From|Von|De):\*?\s/i;
const OUTLOOK_NEXT = /^\*?(?:Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|Objet):\*?\s/i;

/** RFC 3676 signature separator. */
const SIGNATURE_SEPARATOR = /^-- ?$/;

/** The new part of a reply: up to the quoted original or the signature, without `>` lines. */
export function withoutQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (SIGNATURE_SEPARATOR.test(line.trimEnd()) || QUOTE_HEADERS.some((pattern) => pattern.test(trimmed))) break;
    // "On Mon, 1 Jan 2025 at 10:00, Jane Doe <jane@example.com>" wrapped before "wrote:".
    if (/^On\b/i.test(trimmed) && /^wrote:\s*$/i.test(lines[i + 1]?.trim() ?? '')) break;
    if (OUTLOOK_FROM.test(trimmed) && OUTLOOK_NEXT.test(lines[i + 1]?.trim() ?? '')) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line.trimEnd());
  }
  const result = kept.join('\n').trim();
  // A message that is nothing but a quote keeps its text: better repeated than lost.
  return result === '' ? text.trim() : result;
}
