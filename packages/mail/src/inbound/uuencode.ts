/**
 * Old mail programs put files into the text itself, uuencoded (`begin 644 name` … `end`). Shown as text that is a
 * wall of garbage; we put a short placeholder in its place.
 *
 * A line-by-line scan rather than one pattern over the whole text: the pattern (`^begin … (?:line\n)*? end`) retried
 * its lazy middle from every `begin` line, quadratic in the number of such lines (1 MB of them took 69 s).
 */
const BEGIN_LINE = /^begin(?:-base64)? [0-7]{3,4} ([^\r\n]+)$/u;
const END_LINE = /^end[ \t]*$/u;

interface Line {
  /** The line without its line break (`\n` or `\r\n`). */
  content: string;
  start: number;
  /** Where the next line starts; text.length for the last line. */
  next: number;
  /** Whether a line break ends it. */
  broken: boolean;
}

function lineAt(text: string, start: number): Line {
  const newline = text.indexOf('\n', start);
  const end = newline < 0 ? text.length : newline;
  const content = newline > start && text.charCodeAt(newline - 1) === 13 ? text.slice(start, newline - 1) : text.slice(start, end);
  return { content, start, next: newline < 0 ? text.length : newline + 1, broken: newline >= 0 };
}

/** The first `end` line from `start` on, or null when none follows. */
function endLineFrom(text: string, start: number): Line | null {
  for (let position = start; position < text.length; ) {
    const line = lineAt(text, position);
    if (END_LINE.test(line.content)) return line;
    position = line.next;
  }
  return null;
}

export function replaceUuencodedBlocks(text: string): string {
  if (!text.includes('begin ') && !text.includes('begin-base64 ')) return text;
  const kept: string[] = [];
  let copiedUpTo = 0;
  for (let position = 0; position < text.length; ) {
    const line = lineAt(text, position);
    const begin = line.broken ? BEGIN_LINE.exec(line.content) : null;
    if (begin === null) {
      position = line.next;
      continue;
    }
    const end = endLineFrom(text, line.next);
    // Without an `end` after this `begin`, none follows any later one either.
    if (end === null) break;
    kept.push(text.slice(copiedUpTo, line.start), `[uuencoded file: ${begin[1]!.trim()}]\n`);
    copiedUpTo = position = end.next;
  }
  if (copiedUpTo === 0) return text;
  kept.push(text.slice(copiedUpTo));
  return kept.join('');
}
