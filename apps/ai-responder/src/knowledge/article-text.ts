/**
 * An article's body as plain text in blocks: headings (with their level) and paragraphs. HTML is read with
 * htmlparser2's tokenizer, which is linear in the input however the tags nest (its tree-building parser is not: it
 * keeps open elements with Array.unshift); Markdown is rendered to HTML by marked first and then read the same way,
 * so both formats give the same kind of text (entities decoded, lists as "- " lines, tables as "a | b" rows, links
 * with their address).
 */
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { Marked } from 'marked';

export const BODY_FORMATS = ['markdown', 'html'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];

export type TextBlock = { kind: 'heading'; level: number; text: string } | { kind: 'text'; text: string };

/** Longer "headings" (an unclosed <h1> around a whole page) are read as text. */
const MAX_HEADING_CHARS = 300;

/** A closing tag of an element only HTML has: Markdown writes these as syntax, so a body with them is HTML. */
const HTML_BLOCK_CLOSE = /<\/(?:p|div|h[1-6]|li|ul|ol|table|tr|td|th|section|article|body|html|blockquote|pre|span|strong|em|a)\s*>/i;
/** A Markdown heading, list item, fence or table line at the start of a line. */
const MARKDOWN_LINE = /^(?:#{1,6}[ \t]|[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~|\|.*\|[ \t]*$)/m;

/**
 * HTML when the body starts with a tag (or doctype or comment) or holds closing tags of HTML elements and no
 * Markdown line syntax; Markdown otherwise (Markdown may hold some HTML of its own, which marked passes through).
 */
export function detectBodyFormat(body: string): BodyFormat {
  const start = body.trimStart();
  if (/^<(?:!doctype|!--|[a-z][a-z0-9-]*[\s/>])/i.test(start)) return 'html';
  return HTML_BLOCK_CLOSE.test(body) && !MARKDOWN_LINE.test(body) ? 'html' : 'markdown';
}

/** An instance of its own: options set on marked's shared one elsewhere do not change how articles read. */
const markdown = new Marked({ gfm: true });

/** The body's headings and paragraphs, in order; empty for a body with no text. */
export function blocksOf(body: string, format: BodyFormat): TextBlock[] {
  const html = format === 'html' ? body : markdown.parse(body, { async: false });
  return htmlBlocks(html);
}

const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Elements that start and end a paragraph (inside a list item: a line; inside a table cell: a space). */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'details', 'dialog', 'dd', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr', 'html', 'legend', 'main', 'menu', 'nav',
  'p', 'section', 'summary',
]);
/** Elements whose content is no text of the article. */
const SKIPPED = new Set(['head', 'script', 'style', 'title', 'template', 'noscript', 'svg', 'math', 'iframe', 'object', 'textarea', 'select']);

interface OpenList {
  ordered: boolean;
  next: number;
}

/** Builds the blocks from the tokenizer's events. */
class BlockWriter {
  private readonly blocks: TextBlock[] = [];
  /** The paragraph being written, as lines. */
  private lines: string[] = [''];
  /** The current line holds nothing but a list marker (or nothing): a line break there would leave it alone. */
  private freshLine = true;
  private headingLevel: number | null = null;
  private preDepth = 0;
  private tableDepth = 0;
  /** The skipped element being in, and how many of its name are open in it. */
  private skipped: { name: string; depth: number } | null = null;
  private readonly lists: OpenList[] = [];
  private cellsInRow = 0;
  private link: { href: string; textStart: number; line: number } | null = null;

  text(value: string): void {
    if (this.skipped || value === '') return;
    if (this.preDepth > 0) {
      const [first, ...rest] = value.replace(/\r\n?/g, '\n').split('\n');
      this.append(first!);
      for (const line of rest) {
        this.lines.push('');
        this.append(line);
      }
      return;
    }
    this.append(value.replace(/\s+/g, ' '));
  }

  open(name: string, attributes: ReadonlyMap<string, string>): void {
    if (this.skipped) {
      if (name === this.skipped.name) this.skipped.depth++;
      // A <head> left open ends where the body starts.
      else if (name === 'body' && this.skipped.name === 'head') this.skipped = null;
      return;
    }
    if (SKIPPED.has(name)) {
      this.skipped = { name, depth: 1 };
      return;
    }
    if (HEADINGS.has(name)) {
      this.endParagraph();
      this.headingLevel = Number(name[1]);
      return;
    }
    switch (name) {
      case 'br':
        this.newLine();
        return;
      case 'pre':
        this.breakBlock();
        this.preDepth++;
        return;
      case 'ul':
      case 'ol':
        this.breakBlock();
        this.lists.push({ ordered: name === 'ol', next: Number(attributes.get('start') ?? '1') || 1 });
        return;
      case 'li': {
        this.newLine();
        const list = this.lists[this.lists.length - 1];
        this.append(list?.ordered ? `${list.next++}. ` : '- ');
        this.freshLine = true;
        return;
      }
      case 'table':
        if (this.tableDepth === 0) this.breakBlock();
        this.tableDepth++;
        return;
      case 'tr':
        this.newLine();
        this.cellsInRow = 0;
        return;
      case 'td':
      case 'th':
        if (this.cellsInRow++ > 0) this.append(' | ');
        return;
      case 'a': {
        const href = attributes.get('href')?.trim() ?? '';
        this.link = /^(?:https?:|mailto:)/i.test(href) ? { href, textStart: this.currentLine().length, line: this.lines.length - 1 } : null;
        return;
      }
    }
    if (BLOCKS.has(name)) this.breakBlock();
  }

  close(name: string): void {
    if (this.skipped) {
      if (name === this.skipped.name && --this.skipped.depth === 0) this.skipped = null;
      return;
    }
    if (HEADINGS.has(name)) {
      if (this.headingLevel !== null) this.endParagraph();
      return;
    }
    switch (name) {
      case 'pre':
        this.breakBlock();
        this.preDepth = Math.max(0, this.preDepth - 1);
        return;
      case 'ul':
      case 'ol':
        this.lists.pop();
        this.breakBlock();
        return;
      case 'li':
      case 'tr':
        this.newLine();
        return;
      case 'table':
        this.tableDepth = Math.max(0, this.tableDepth - 1);
        if (this.tableDepth === 0) this.breakBlock();
        return;
      case 'a':
        this.endLink();
        return;
    }
    if (BLOCKS.has(name)) this.breakBlock();
  }

  end(): TextBlock[] {
    this.endParagraph();
    return this.blocks;
  }

  /** A block element starts or ends: a new paragraph, or within a list or table a new line or a space. */
  private breakBlock(): void {
    if (this.headingLevel !== null || this.tableDepth > 0) this.append(' ');
    else if (this.lists.length > 0) this.newLine();
    else this.endParagraph();
  }

  private endLink(): void {
    const link = this.link;
    this.link = null;
    if (!link || link.line !== this.lines.length - 1) return;
    const text = this.currentLine().slice(link.textStart).trim();
    const address = link.href.replace(/^mailto:/i, '');
    if (text === '' || text.includes(address)) return;
    this.append(` (${address})`);
  }

  private currentLine(): string {
    return this.lines[this.lines.length - 1]!;
  }

  private append(value: string): void {
    this.lines[this.lines.length - 1] += value;
    if (value.trim() !== '') this.freshLine = false;
  }

  private newLine(): void {
    if (this.headingLevel !== null) {
      this.append(' ');
      return;
    }
    if (this.freshLine) return;
    this.lines.push('');
    this.freshLine = true;
  }

  /** Ends the heading or paragraph being written: a block when it has any text. */
  private endParagraph(): void {
    const lines = this.lines.map(cleanLine).filter((line) => line !== '' && line !== '-' && !/^\d+\.$/.test(line));
    this.lines = [''];
    this.freshLine = true;
    this.link = null;
    const level = this.headingLevel;
    this.headingLevel = null;
    if (lines.length === 0) return;
    const text = lines.join(level === null ? '\n' : ' ');
    if (level !== null && text.length <= MAX_HEADING_CHARS) this.blocks.push({ kind: 'heading', level, text });
    else this.blocks.push({ kind: 'text', text });
  }
}

/** Runs of spaces made one, and the line trimmed. */
function cleanLine(line: string): string {
  return line.replace(/[ \t\u00a0]+/g, ' ').trim();
}

function htmlBlocks(html: string): TextBlock[] {
  const writer = new BlockWriter();
  let tagName: string | null = null;
  let attributes = new Map<string, string>();
  let attributeName: string | null = null;
  let attributeValue = '';

  const openTagEnded = () => {
    if (tagName === null) return;
    writer.open(tagName, attributes);
    tagName = null;
  };

  const callbacks: TokenizerCallbacks = {
    ontext: (start, end) => writer.text(html.slice(start, end)),
    ontextentity: (codepoint) => writer.text(String.fromCodePoint(codepoint)),
    onopentagname: (start, end) => {
      tagName = html.slice(start, end).toLowerCase();
      attributes = new Map();
    },
    onattribname: (start, end) => {
      attributeName = html.slice(start, end).toLowerCase();
      attributeValue = '';
    },
    onattribdata: (start, end) => {
      attributeValue += html.slice(start, end);
    },
    onattribentity: (codepoint) => {
      attributeValue += String.fromCodePoint(codepoint);
    },
    onattribend: () => {
      if (attributeName !== null && !attributes.has(attributeName)) attributes.set(attributeName, attributeValue);
      attributeName = null;
    },
    onopentagend: openTagEnded,
    onselfclosingtag: openTagEnded,
    onclosetag: (start, end) => writer.close(html.slice(start, end).toLowerCase()),
    oncdata: () => undefined,
    oncomment: () => undefined,
    ondeclaration: () => undefined,
    onprocessinginstruction: () => undefined,
    onend: () => undefined,
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
  return writer.end();
}
