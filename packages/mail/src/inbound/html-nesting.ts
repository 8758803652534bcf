/**
 * A cap on how deep received HTML nests, applied before anything parses it into a tree. htmlparser2's parser (under
 * sanitize-html, html-to-text) keeps its open elements with Array.unshift, so every level costs as much as all
 * levels above it: 200k nested <div> took 14 s to sanitise, and html-to-text overflows the stack at 20k. Tags beyond
 * the cap are dropped (their content stays); real mail nests a few dozen levels.
 *
 * The tags are found with htmlparser2's own tokenizer, the one sanitize-html parses with, so what is counted here is
 * what the sanitiser will see. The open elements are tracked the way its parser does (void elements, tags that close
 * an open <p>, <li>, <td> ...), erring towards counting too deep, never too shallow.
 */
// The same major version of htmlparser2 as sanitize-html's (10), not the older one html-to-text brings (8).
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/** How deep received HTML may nest; deeper tags are dropped, their content kept. */
export const MAX_HTML_NESTING = 100;

const VOID_ELEMENTS = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen',
  'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
const P = new Set(['p']);
/** Open elements that a new one closes (a subset of htmlparser2's openImpliesClose: missing entries only overcount). */
const IMPLIES_CLOSE = new Map<string, Set<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', new Set(['dt', 'dd'])],
  ['dt', new Set(['dt', 'dd'])],
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset',
    'figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul'].map(
    (name): [string, Set<string>] => [name, P],
  ),
]);
/** A closing tag closes the nearest open element of its name within this many levels; further down it is not sought. */
const CLOSE_SEARCH_DEPTH = 16;

interface OpenElement {
  name: string;
  kept: boolean;
}

/** `html` with every tag deeper than `maxDepth` removed (see the module comment). Linear in the length of `html`. */
export function limitHtmlNesting(html: string, maxDepth = MAX_HTML_NESTING): string {
  if (!html.includes('<')) return html;
  const open: OpenElement[] = [];
  /** [start, end) ranges of the tags to drop, in order. */
  const dropped: Array<[number, number]> = [];
  let pending: { start: number; name: string } | null = null;

  const finishOpenTag = (endIndex: number): void => {
    if (pending === null) return;
    const { start, name } = pending;
    pending = null;
    const closes = IMPLIES_CLOSE.get(name);
    while (closes && open.length > 0 && closes.has(open[open.length - 1]!.name)) open.pop();
    if (VOID_ELEMENTS.has(name)) return;
    const kept = open.length < maxDepth;
    open.push({ name, kept });
    if (!kept) dropped.push([start, endIndex + 1]);
  };

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, endIndex) {
      pending = { start: start - 1, name: html.slice(start, endIndex).toLowerCase() };
    },
    onopentagend: finishOpenTag,
    onselfclosingtag: finishOpenTag,
    onclosetag(start, endIndex) {
      const name = html.slice(start, endIndex).toLowerCase();
      if (VOID_ELEMENTS.has(name)) return;
      const bottom = Math.max(0, open.length - CLOSE_SEARCH_DEPTH);
      for (let index = open.length - 1; index >= bottom; index--) {
        if (open[index]!.name !== name) continue;
        const { kept } = open[index]!;
        open.length = index;
        if (!kept) {
          const tagStart = html.lastIndexOf('<', start);
          const close = html.indexOf('>', endIndex);
          dropped.push([tagStart, close < 0 ? html.length : close + 1]);
        }
        return;
      }
    },
    onattribdata: () => undefined,
    onattribentity: () => undefined,
    onattribend: () => undefined,
    onattribname: () => undefined,
    oncdata: () => undefined,
    oncomment: () => undefined,
    ondeclaration: () => undefined,
    onend: () => undefined,
    onprocessinginstruction: () => undefined,
    ontext: () => undefined,
    ontextentity: () => undefined,
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
  if (dropped.length === 0) return html;

  const kept: string[] = [];
  let copiedUpTo = 0;
  for (const [start, end] of dropped) {
    if (start < copiedUpTo) continue;
    kept.push(html.slice(copiedUpTo, start));
    copiedUpTo = end;
  }
  kept.push(html.slice(copiedUpTo));
  return kept.join('');
}
