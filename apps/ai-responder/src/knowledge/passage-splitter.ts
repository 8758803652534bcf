/**
 * An article cut into passages: what retrieval finds and what a reply is written from. Each passage lies within one
 * section (the text under a heading) and keeps that heading, with the headings above it ("Returns › Refunds"), so a
 * passage makes sense on its own; the article title is stored beside it. A section longer than a passage is cut
 * between paragraphs, a paragraph longer than a passage between lines, sentences, and at last words, into pieces
 * of about even length.
 */
import { blocksOf, type BodyFormat, type TextBlock } from './article-text.js';

export interface Passage {
  /** 0, 1, … in the article's order. */
  position: number;
  /** The section's heading path ("Returns › Refunds"), or null for text before the first heading. */
  heading: string | null;
  text: string;
}

export interface PassageSize {
  /** A passage is cut to at most this many characters (a single word longer than it is cut too). */
  maxChars: number;
  /** A section is cut into pieces of at least about this many (the last piece of a section may be shorter). */
  minChars: number;
}

export const PASSAGE_SIZE: PassageSize = { maxChars: 1_200, minChars: 300 };

const HEADING_SEPARATOR = ' › ';
const MAX_HEADING_PATH_CHARS = 500;

/** The passages of an article's body; none for a body without text. */
export function splitArticle(input: { title: string; body: string; format: BodyFormat }, size: PassageSize = PASSAGE_SIZE): Passage[] {
  return splitBlocks(input.title, blocksOf(input.body, input.format), size);
}

export function splitBlocks(title: string, blocks: readonly TextBlock[], size: PassageSize = PASSAGE_SIZE): Passage[] {
  const passages: Passage[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  let paragraphs: string[] = [];

  const endSection = () => {
    if (paragraphs.length === 0) return;
    const heading = headingPath(headings);
    for (const text of packSection(paragraphs, size)) passages.push({ position: passages.length, heading, text });
    paragraphs = [];
  };

  for (const [index, block] of blocks.entries()) {
    if (block.kind === 'text') {
      paragraphs.push(block.text);
      continue;
    }
    endSection();
    // A first heading that repeats the title (an <h1> of the page) adds nothing to it.
    if (index === 0 && passages.length === 0 && sameText(block.text, title)) continue;
    while (headings.length > 0 && headings[headings.length - 1]!.level >= block.level) headings.pop();
    headings.push({ level: block.level, text: block.text });
  }
  endSection();
  return passages;
}

function headingPath(headings: ReadonlyArray<{ text: string }>): string | null {
  if (headings.length === 0) return null;
  const path = headings.map((heading) => heading.text).join(HEADING_SEPARATOR);
  // The nearest headings matter most: a path too long keeps its end.
  return path.length <= MAX_HEADING_PATH_CHARS ? path : `…${path.slice(path.length - MAX_HEADING_PATH_CHARS + 1)}`;
}

function sameText(a: string, b: string): boolean {
  const normal = (text: string) => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
  return normal(a) === normal(b);
}

/** A section's paragraphs as passages: whole paragraphs together where they fit, long ones cut. */
function packSection(paragraphs: readonly string[], size: PassageSize): string[] {
  const pieces = paragraphs.flatMap((paragraph) => cutToSize(paragraph, size.maxChars));
  return pack(pieces, '\n\n', size);
}

/**
 * The ways a text is cut, coarse to fine: lines, sentences (after . ! ? … and a space), words. Each keeps what it
 * cut at as the joiner of its pieces.
 */
const CUTS: ReadonlyArray<{ split: (text: string) => string[]; joiner: string }> = [
  { split: (text) => text.split('\n'), joiner: '\n' },
  { split: (text) => text.split(/(?<=[.!?…])\s+/u), joiner: ' ' },
  { split: (text) => text.split(/\s+/u), joiner: ' ' },
];

/** `text` in pieces of at most `maxChars`, cut as coarsely as will do. */
function cutToSize(text: string, maxChars: number, cut = 0): string[] {
  if (text.length <= maxChars) return [text];
  const way = CUTS[cut];
  if (!way) return hardCut(text, maxChars);
  const units = way
    .split(text)
    .filter((unit) => unit.trim() !== '')
    .flatMap((unit) => cutToSize(unit, maxChars, cut + 1));
  return pack(units, way.joiner, { maxChars, minChars: 0 });
}

/** A single "word" longer than a passage (a pasted blob): cut every maxChars, never inside a surrogate pair. */
function hardCut(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + maxChars);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/**
 * Units joined into pieces of at most maxChars, of about even length: the total is divided into as few pieces as
 * maxChars allows, and a piece ends before a unit that would not fit or whose middle would lie beyond that share. A
 * unit longer than maxChars (none here: they are cut first) would be a piece alone.
 */
function pack(units: readonly string[], joiner: string, size: PassageSize): string[] {
  if (units.length === 0) return [];
  const total = units.reduce((sum, unit) => sum + unit.length, 0) + joiner.length * (units.length - 1);
  const count = Math.ceil(total / size.maxChars);
  const target = Math.max(size.minChars, Math.ceil(total / count));
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (current === '') {
      current = unit;
    } else if (current.length + joiner.length + unit.length > size.maxChars || current.length + joiner.length + unit.length / 2 > target) {
      pieces.push(current);
      current = unit;
    } else {
      current += joiner + unit;
    }
  }
  pieces.push(current);
  return pieces;
}
