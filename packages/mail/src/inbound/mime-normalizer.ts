/**
 * One pass over the MIME tree before mailparser sees the mail: every text part that mailparser shows as the body is
 * decoded with our charset rules (see charset.ts) and re-encoded as UTF-8, and 8-bit header lines are turned into
 * UTF-8. mailparser then only ever decodes UTF-8, and refuses nothing (it would leave UTF-7 undecoded and 8-bit
 * Latin-1 as U+FFFD). Attachments pass through byte for byte, so their list and sizes stay what mailparser gives
 * for the raw mail. On the way the pass notes the report parts (delivery status, returned headers or message) that
 * bounce detection reads.
 */
import { Transform, type TransformCallback } from 'node:stream';
import mailsplit from '@zone-eu/mailsplit';
import type { MimeNode, SplitterChunk } from '@zone-eu/mailsplit';
import libqp from 'libqp';
import { decodeHeaderBytes, decodeText, hasEightBitBytes, isValidUtf8 } from './charset.js';
import { replaceUuencodedBlocks } from './uuencode.js';

const { Splitter, Joiner } = mailsplit;

/** What mailparser shows as the body (its `textTypes`): anything else, or with a disposition, is an attachment. */
const BODY_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);
/** Parts that say what happened to a mail we sent; kept (their start) for bounce detection. */
const REPORT_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/feedback-report',
  'message/disposition-notification',
]);
/** Enough of a report part for its fields or the returned message's headers. */
const MAX_REPORT_BYTES = 64 * 1024;

export interface MimePart {
  /** Lower-case media type, `text/plain` when the part did not say. */
  contentType: string;
  /** For report parts: their decoded start (up to 64 KiB); null for other parts. */
  content: string | null;
}

export interface NormalizedMime {
  /** The mail with its body text as UTF-8; the same bytes as given when nothing needed a change. */
  raw: Buffer;
  /** Every leaf part below the top, in order. */
  parts: MimePart[];
}

/** RFC 2045: a part without Content-Type is text/plain. */
const contentTypeOf = (node: MimeNode): string => (node.contentType || 'text/plain').toLowerCase();

const isBodyText = (node: MimeNode): boolean =>
  !node.multipart && BODY_TYPES.has(contentTypeOf(node)) && (!node.disposition || node.disposition === 'inline');

function decodeTransferEncoding(body: Buffer, encoding: string | false): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/gu, ''), 'base64');
  if (encoding === 'quoted-printable') return libqp.decode(body.toString('latin1'));
  return body;
}

/** A charset the message names in its own headers, the best guess for header bytes that came without one. */
function charsetHint(node: MimeNode): string | null {
  if (node.charset) return node.charset;
  if (!node.headers) return null;
  for (const { line } of node.headers.getList()) {
    const word = /=\?([^?*]+)(?:\*[^?]*)?\?[bq]\?/iu.exec(line);
    if (word) return word[1]!;
  }
  return null;
}

/** Header lines with 8-bit bytes that are not UTF-8 are rewritten as UTF-8. */
function normalizeHeaderLines(node: MimeNode): void {
  if (!node.headers) return;
  let hint: string | null | undefined;
  for (const header of node.headers.getList()) {
    const bytes = Buffer.from(header.line, 'binary');
    if (!hasEightBitBytes(bytes) || isValidUtf8(bytes)) continue;
    hint = hint === undefined ? charsetHint(node) : hint;
    header.line = Buffer.from(decodeHeaderBytes(bytes, hint), 'utf8').toString('binary');
    node.headers.changed = true;
  }
}

class BodyTextNormalizer extends Transform {
  readonly parts: MimePart[] = [];
  private text: { node: MimeNode; chunks: Buffer[] } | null = null;
  private report: { part: MimePart; node: MimeNode; chunks: Buffer[]; size: number } | null = null;

  constructor() {
    super({ objectMode: true });
  }

  override _transform(chunk: SplitterChunk, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (chunk.type === 'node') {
        this.finishPart();
        this.startNode(chunk);
      } else if (chunk.type === 'body' && this.text) {
        this.text.chunks.push(chunk.value);
      } else {
        if (chunk.type === 'body' && this.report && this.report.size < MAX_REPORT_BYTES) {
          this.report.chunks.push(chunk.value);
          this.report.size += chunk.value.length;
        }
        if (chunk.type !== 'body') this.finishPart();
        this.push(chunk);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.finishPart();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private startNode(node: MimeNode): void {
    normalizeHeaderLines(node);
    if (node.multipart) {
      this.push(node);
      return;
    }
    const contentType = contentTypeOf(node);
    const part: MimePart = { contentType, content: null };
    if (!node.root) this.parts.push(part);
    if (isBodyText(node)) {
      this.text = { node, chunks: [] };
      if (REPORT_TYPES.has(contentType)) this.report = { part, node, chunks: [], size: 0 };
      return;
    }
    if (REPORT_TYPES.has(contentType)) this.report = { part, node, chunks: [], size: 0 };
    this.push(node);
  }

  /** Ends the current leaf: a body text part is written out as UTF-8 (base64), a report part's start is kept. */
  private finishPart(): void {
    const report = this.report;
    const text = this.text;
    this.report = null;
    this.text = null;
    if (text) {
      const body = Buffer.concat(text.chunks);
      // The line break before the next boundary belongs to the boundary: keep it.
      const trailing = trailingLineBreaks(body);
      const decoded = replaceUuencodedBlocks(decodeText(decodeTransferEncoding(body, text.node.encoding), text.node.charset || null));
      if (report) report.part.content = decoded.slice(0, MAX_REPORT_BYTES);
      text.node.setCharset('utf-8');
      text.node.getEncoder('base64');
      this.push(text.node);
      const base64 = Buffer.from(decoded, 'utf8').toString('base64').replace(/.{76}(?=.)/gu, '$&\r\n');
      this.push({ node: text.node, type: 'body', value: Buffer.from(`${base64}${trailing === '' ? '\r\n' : trailing}`, 'latin1') });
      return;
    }
    if (report) {
      const bytes = decodeTransferEncoding(Buffer.concat(report.chunks), report.node.encoding).subarray(0, MAX_REPORT_BYTES);
      report.part.content = decodeText(bytes, report.node.charset || null);
    }
  }
}

/** The run of `\n` / `\r\n` a body ends with, as text (a backwards scan: `/(?:\r?\n)*$/` is quadratic). */
function trailingLineBreaks(body: Buffer): string {
  let start = body.length;
  while (start > 0 && body[start - 1] === 0x0a) {
    start -= 1;
    if (start > 0 && body[start - 1] === 0x0d) start -= 1;
  }
  return body.subarray(start).toString('latin1');
}

/** See the module comment. Rejects only when the MIME structure is beyond what the splitter accepts. */
export async function normalizeMime(raw: Buffer): Promise<NormalizedMime> {
  const splitter = new Splitter();
  const normalizer = new BodyTextNormalizer();
  const joiner = new Joiner();
  const output: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    // mailsplit's typings declare only 'data'; these are plain Node streams.
    for (const stream of [splitter, normalizer, joiner] as NodeJS.EventEmitter[]) stream.once('error', reject);
    joiner.on('data', (chunk: Buffer) => output.push(chunk));
    (joiner as NodeJS.EventEmitter).once('end', resolve);
  });
  splitter.pipe(normalizer).pipe(joiner);
  splitter.end(raw);
  await done;
  return { raw: Buffer.concat(output), parts: normalizer.parts };
}
