/**
 * The last resort for a mail whose MIME structure is too broken for the parser to find any text (a multipart
 * without boundary, boundaries that never come, no header block at all): the body as it stands, decoded, without
 * the MIME scaffolding (boundary lines and the header lines of the parts).
 */
import { decodeText } from './charset.js';

const HEADER_LINE = /^[!-9;-~]+[ \t]*:/u;
const BOUNDARY_LINE = /^--[^\s]\S*[ \t]*$/u;

/** Where the body starts: after the first empty line, or at 0 when the mail does not start with a header. */
function bodyStart(text: string): number {
  const firstLine = /^[^\r\n]*/u.exec(text)![0];
  if (!HEADER_LINE.test(firstLine) && !firstLine.startsWith('From ')) return 0;
  const blank = /\r?\n\r?\n/u.exec(text);
  return blank ? blank.index + blank[0].length : text.length;
}

export function rawBodyText(raw: Buffer, charset: string | null): string {
  const all = raw.toString('latin1');
  const body = Buffer.from(all.slice(bodyStart(all)), 'latin1');
  const lines = decodeText(body, charset).replace(/\r\n?/gu, '\n').split('\n');
  const kept: string[] = [];
  let inPartHeader = false;
  for (const line of lines) {
    if (BOUNDARY_LINE.test(line.trim())) {
      inPartHeader = true;
      continue;
    }
    if (inPartHeader) {
      // The header lines of a part (and their folded continuations) end at the first empty line.
      if (HEADER_LINE.test(line) || (/^[ \t]/u.test(line) && line.trim() !== '')) continue;
      inPartHeader = false;
      if (line.trim() === '') continue;
    }
    kept.push(line);
  }
  return kept.join('\n').trim();
}
