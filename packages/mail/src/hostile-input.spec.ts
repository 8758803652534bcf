/**
 * Parsing on a budget: every step of the inbound parse path gets about 1 MB of input built to make it slow (deep
 * nesting, long runs of what a pattern repeats, millions of tiny tokens), and must finish in under 3 s.
 *
 * Timing on a shared 2-core machine: each case runs once to warm up (JIT, lazy requires), then five times; the
 * fastest of the five must stay under 3 s. Linear steps take 3–300 ms alone, but the whole test suite running beside
 * them slowed all five runs of one case to 1.3–2 s; a super-linear step takes far longer on these inputs (the
 * uuencode pattern 69 s, 200k nested <div> 14 s), so the bound still separates linear from not. Speed itself is
 * printed here and measured by `npm run bench`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { classifyMail } from './classification.js';
import { extractBounceDetails } from './inbound/bounce-details.js';
import { decodeHeaderBytes, decodeText } from './inbound/charset.js';
import { limitHtmlNesting } from './inbound/html-nesting.js';
import { sanitizeMailHtml } from './inbound/html-sanitizer.js';
import { normalizeMime } from './inbound/mime-normalizer.js';
import { parseInboundMail } from './inbound/parse-inbound-mail.js';
import { newTextOf } from './inbound/reply-text.js';
import { replaceUuencodedBlocks } from './inbound/uuencode.js';
import { headersFromLines } from './mail-headers.js';
import { normalizeMessageId, parseMessageIdList } from './message-id.js';
import { htmlToPlainText } from './reply-body.js';
import { hasForwardPrefix, hasReplyPrefix, normalizeSubject, subjectThreadKey } from './subject.js';

const MB = 1024 * 1024;
const BUDGET_MS = 3_000;
const figures: string[] = [];

/** `unit` repeated to about `bytes` characters. */
const repeatTo = (unit: string, bytes = MB): string => unit.repeat(Math.ceil(bytes / unit.length));

async function timings(run: () => unknown): Promise<{ fastest: number; median: number }> {
  await run();
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { fastest: times[0]!, median: times[2]! };
}

function within(step: string, cases: Record<string, () => unknown>): void {
  describe(step, () => {
    for (const [name, run] of Object.entries(cases)) {
      it(`${name}: under ${BUDGET_MS} ms`, { timeout: 120_000 }, async () => {
        const { fastest, median } = await timings(run);
        figures.push(`${fastest.toFixed(1).padStart(7)} ms fastest, ${median.toFixed(1).padStart(7)} ms median  ${step}: ${name}`);
        expect(fastest).toBeLessThan(BUDGET_MS);
      });
    }
  });
}

afterAll(() => console.log(`[parse budget] 5 warm runs, ~1 MB hostile input each:\n  ${figures.join('\n  ')}`));

const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example', maxMessageSizeBytes: 25 * MB };
const eml = (headers: string[], body: string): Buffer => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1');
const mailWith = (body: string, contentType = 'text/plain; charset=utf-8', extra: string[] = []): Buffer =>
  eml(['From: Ann <ann@customer.example>', 'To: support@acme.example', 'Subject: hostile', 'MIME-Version: 1.0', `Content-Type: ${contentType}`, ...extra], body);

within('charset re-decoding', {
  'UTF-7 made of tiny shifted runs': () => decodeText(Buffer.from(repeatTo('+AGE-')), 'utf-7'),
  '8-bit bytes labelled ISO-2022-JP (detection)': () => decodeText(Buffer.alloc(MB, 0xa4), 'iso-2022-jp'),
  'ISO-2022-JP escapes without a label': () => decodeText(Buffer.from(repeatTo('\x1b$B$"\x1b(B')), null),
  'invalid UTF-8 labelled utf-8': () => decodeText(Buffer.from(repeatTo('\xc3(\xe2\x82', MB), 'latin1'), 'utf-8'),
  '8-bit header bytes with a hint': () => decodeHeaderBytes(Buffer.alloc(MB, 0xe9), 'windows-1252'),
});

within('MIME normalisation', {
  'a 1 MB quoted-printable text part of soft breaks': () => normalizeMime(mailWith(repeatTo('=\r\n'), 'text/plain; charset=iso-8859-1', ['Content-Transfer-Encoding: quoted-printable'])),
  'a 1 MB base64 text part with garbage between': () => normalizeMime(mailWith(repeatTo('QUJD!@#\r\n'), 'text/plain', ['Content-Transfer-Encoding: base64'])),
  '1 MB of 8-bit header lines': () => normalizeMime(eml([...Array.from({ length: 4_000 }, (_, index) => `X-H${index}: ${'\xe9'.repeat(250)}`), 'Subject: s'], 'body')),
  'a thousand nested multiparts': () =>
    normalizeMime(mailWith(Array.from({ length: 1_000 }, (_, index) => `--b${index}\r\nContent-Type: multipart/mixed; boundary="b${index + 1}"\r\n\r\n`).join(''), 'multipart/mixed; boundary="b0"')).catch(() => undefined),
});

within('uuencode', {
  '1 MB of `begin 644 a` lines': () => replaceUuencodedBlocks(repeatTo('begin 644 a\n')),
  'one begin and 1 MB of lines without end': () => replaceUuencodedBlocks(`begin 644 a\n${repeatTo('M86)C\n')}`),
  '1 MB of small complete blocks': () => replaceUuencodedBlocks(repeatTo('begin 644 a\nM86)C\nend\n')),
});

within('HTML sanitising', {
  'the nesting limit alone on 200k nested <div> (1 MB)': () => limitHtmlNesting(`${'<div>'.repeat(200_000)}x`),
  '200k nested <div>': () => sanitizeMailHtml(`${'<div>'.repeat(200_000)}x`, []),
  '100k nested <div> closed again': () => sanitizeMailHtml(`${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}`, []),
  'nested <li><td> that close nothing': () => sanitizeMailHtml(repeatTo('<li><td>'), []),
  '1 MB of small styled paragraphs (an ordinary newsletter, grown)': () => sanitizeMailHtml(repeatTo('<p style="color:red">x <b>y</b></p>\r\n'), []),
  '1 MB of style with url( and backslashes': () => sanitizeMailHtml(`<p style="color: ${repeatTo('url(\\')}">x</p>`, []),
  '1 MB of cid images': () => sanitizeMailHtml(repeatTo('<img src="cid:a@b" width=1 height=1>'), [{ filename: 'a', contentType: 'image/png', size: 1, contentId: '<a@b>', inline: true }]),
  'an attribute that never closes': () => sanitizeMailHtml(`<a href="${repeatTo('x')}`, []),
  'HTML to text of the sanitised nesting': () => htmlToPlainText(sanitizeMailHtml(`${'<div>'.repeat(200_000)}x`, [])),
});

within('reply-text extraction', {
  '1 MB of quoted lines': () => newTextOf(repeatTo('> quoted\n')),
  '1 MB of "On … wrote:" lines': () => newTextOf(repeatTo('On Mon, 1 Jan 2024, a@b.example wrote:\n')),
  'one 1 MB line of spaces': () => newTextOf(`x${' '.repeat(MB)}y`),
});

const headerMail = (headers: Record<string, string>, text = '') => ({
  headers,
  contentType: headers['content-type'] ?? null,
  from: { address: 'support@acme.example', name: 'x'.repeat(MB) },
  subject: headers.subject ?? '',
  messageId: null,
  text,
  partTypes: ['message/rfc822'],
});

within('classification', {
  'a 1 MB subject of reply prefixes and absence words': () => classifyMail(headerMail({ subject: repeatTo('Automatic reply: away ') }), channel),
  '1 MB text of delivery-status fields': () => classifyMail(headerMail({}, repeatTo('> Final-Recipient: rfc822; a@b\n> Status: 9.9.9x\n')), channel),
  '1 MB header values': () =>
    classifyMail(
      headerMail({
        'x-auto-response-suppress': repeatTo('x, '),
        'content-type': `multipart/report; ${repeatTo('a=b; ')}`,
        'authentication-results': `mx; ${repeatTo('dmarc=pass (((( ')}`,
        'return-path': repeatTo('<'),
      }),
      channel,
    ),
});

within('bounce details', {
  '1 MB of recipient groups': () =>
    extractBounceDetails({ text: repeatTo('Final-Recipient: rfc822; a@b.example\nAction: failed\n\n'), parts: [], headers: {}, subject: 'x', messageId: null }),
  '1 MB of unfinished addresses and codes': () =>
    extractBounceDetails({ text: repeatTo('<a@b.c.d 550 5.1.1 Message-ID: <x@y> '), parts: [{ contentType: 'message/delivery-status', content: repeatTo('Status:\t\t\t') }], headers: {}, subject: 'x', messageId: null }),
  '1 MB of folded header continuations in a returned part': () =>
    extractBounceDetails({ text: '', parts: [{ contentType: 'text/rfc822-headers', content: `Message-ID:${repeatTo('\r\n ')}` }], headers: {}, subject: 'x', messageId: null }),
});

within('subject and Message-ID parsing', {
  'a 1 MB subject of Re: prefixes': () => normalizeSubject(repeatTo('Re: ')),
  'a 1 MB subject of list tags': () => [hasReplyPrefix(repeatTo('[tag] ')), hasForwardPrefix(repeatTo('[')), subjectThreadKey(repeatTo('Fwd[2]: '))],
  '1 MB of References': () => parseMessageIdList(repeatTo('<a@b.example> ')),
  '1 MB of brackets': () => [parseMessageIdList(repeatTo('<')), normalizeMessageId(repeatTo('<'))],
  'header lines with 1 MB of folding': () => headersFromLines([{ key: 'subject', line: `Subject:${repeatTo('\r\n x')}` }]),
});

within('parseInboundMail', {
  'a 560 KB display name': () => parseInboundMail(eml([`From: "${'a'.repeat(560 * 1024)}" <ann@customer.example>`, 'Subject: name'], 'hi\r\n'), channel),
  '1 MB of `begin 644 a` lines': () => parseInboundMail(mailWith(repeatTo('begin 644 a\r\n')), channel),
  '200k nested <div>': () => parseInboundMail(mailWith(`${'<div>'.repeat(200_000)}x`, 'text/html; charset=utf-8'), channel),
  'a 10 KB subject': () => parseInboundMail(eml(['From: ann@customer.example', `Subject: ${repeatTo('Re: ', 10 * 1024)}`], 'hi\r\n'), channel),
  '16,400 References': () =>
    parseInboundMail(eml(['From: ann@customer.example', `References: ${Array.from({ length: 16_400 }, (_, index) => `<ref${index}@customer.example>`).join(' ')}`, 'Subject: refs'], 'hi\r\n'), channel),
  '1 MB of quoted reply text': () => parseInboundMail(mailWith(repeatTo('> quoted\r\n')), channel),
  'a 1 MB UTF-7 body': () => parseInboundMail(mailWith(repeatTo('+AGE-'), 'text/plain; charset=utf-7'), channel),
});
