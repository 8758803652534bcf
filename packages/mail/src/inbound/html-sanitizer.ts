/**
 * Received HTML made safe to store and show: sanitize-html with an allow-list that keeps what mail uses for its
 * looks (formatting, tables, links, images, harmless inline styles) and drops everything that runs or phones home
 * (scripts, event handlers, javascript: and data: URLs, forms, frames, CSS url(), 1×1 tracking pixels).
 * Inline images (`cid:`) point at their attachment as `ensoras-attachment:<index>`, the index into the event's
 * attachment list; a cid that names no attachment loses its src. Nesting deeper than MAX_HTML_NESTING is flattened
 * first (html-nesting.ts): deep trees cost the parser quadratic time.
 */
import type { AttachmentMeta } from '@ensoras/contracts';
import sanitizeHtml from 'sanitize-html';
import { limitHtmlNesting } from './html-nesting.js';

export const ATTACHMENT_URL_SCHEME = 'ensoras-attachment';

/** Style values may not load anything or run anything. */
const SAFE_STYLE_VALUE = /^(?!.*(?:url\s*\(|expression\s*\(|javascript:|@import|\\))[^<>{}]*$/iu;
const STYLE_PROPERTIES = [
  'color',
  'background-color',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'text-align',
  'text-decoration',
  'text-indent',
  'text-transform',
  'vertical-align',
  'line-height',
  'letter-spacing',
  'white-space',
  'width',
  'max-width',
  'min-width',
  'height',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-color',
  'border-style',
  'border-width',
  'border-collapse',
  'border-spacing',
  'border-radius',
  'list-style-type',
  'direction',
];
const allowedStyles = { '*': Object.fromEntries(STYLE_PROPERTIES.map((property) => [property, [SAFE_STYLE_VALUE]])) };

const TABLE_ATTRIBUTES = ['align', 'valign', 'width', 'height', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'colspan', 'rowspan', 'nowrap'];

const BASE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'font',
    'center',
    'span',
    'del',
    'ins',
    'u',
    's',
    'strike',
    'sub',
    'sup',
    'small',
    'big',
    'col',
    'colgroup',
    'tfoot',
  ],
  allowedAttributes: {
    '*': ['style', 'dir', 'lang', 'title', 'align'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'border'],
    font: ['color', 'face', 'size'],
    table: TABLE_ATTRIBUTES,
    tr: TABLE_ATTRIBUTES,
    td: TABLE_ATTRIBUTES,
    th: TABLE_ATTRIBUTES,
    col: ['span', 'width'],
    colgroup: ['span', 'width'],
    ol: ['start', 'type'],
    ul: ['type'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', ATTACHMENT_URL_SCHEME] },
  allowProtocolRelative: false,
  allowedStyles,
  // Whatever a dropped <style>, <script> or <title> contained is not shown as text either.
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head'],
};

/** `<id>`, `id` and `cid:id` all name the same part; Content-IDs compare case-insensitively here. */
const contentIdKey = (value: string): string =>
  decodeURIComponent(value.replace(/^cid:/iu, '').trim())
    .replace(/^<|>$/gu, '')
    .toLowerCase();

const isTrackingPixel = (attribs: Record<string, string>): boolean =>
  ['width', 'height'].some((name) => /^\s*[01](?:px)?\s*$/iu.test(attribs[name] ?? '')) &&
  /^https?:/iu.test(attribs.src ?? '');

/**
 * HTML beyond this many characters is cut before sanitising: sanitize-html costs about 1 µs per tag, and the event
 * keeps at most MAX_BODY_BYTES of the result anyway.
 */
export const MAX_SANITIZED_HTML_CHARS = 256 * 1024;

export function sanitizeMailHtml(html: string, attachments: readonly AttachmentMeta[]): string {
  const byContentId = new Map<string, number>();
  attachments.forEach((attachment, index) => {
    if (attachment.contentId) byContentId.set(contentIdKey(attachment.contentId), index);
  });
  const input = html.length > MAX_SANITIZED_HTML_CHARS ? html.slice(0, MAX_SANITIZED_HTML_CHARS) : html;
  return sanitizeHtml(limitHtmlNesting(input), {
    ...BASE_OPTIONS,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
      img: (tagName, attribs) => {
        const src = attribs.src?.trim() ?? '';
        const { src: _dropped, ...rest } = attribs;
        if (/^cid:/iu.test(src)) {
          let index: number | undefined;
          try {
            index = byContentId.get(contentIdKey(src));
          } catch {
            index = undefined;
          }
          return { tagName, attribs: index === undefined ? rest : { ...rest, src: `${ATTACHMENT_URL_SCHEME}:${index}` } };
        }
        if (isTrackingPixel(attribs)) return { tagName, attribs: rest };
        return { tagName, attribs };
      },
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs.alt,
  });
}
