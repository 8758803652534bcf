import { describe, expect, it } from 'vitest';
import { boundReferences, cutHtml, cutLine, cutText, INBOUND_LIMITS, truncateUtf8 } from './inbound-budget.js';
import { parseInboundMail } from './parse-inbound-mail.js';

const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example' };

describe('cutting with a visible marker', () => {
  it('leaves what fits alone', () => {
    expect(cutLine('short', 10)).toBe('short');
    expect(cutText('short', 10)).toBe('short');
    expect(cutHtml('<p>short</p>', 100)).toBe('<p>short</p>');
  });

  it('cuts a line to its length, marker included, never halving a surrogate pair', () => {
    const cut = cutLine('a'.repeat(50), 20);
    expect(cut).toBe(`${'a'.repeat(7)} …[truncated]`);
    expect(cut).toHaveLength(20);
    expect(cutLine(`${'a'.repeat(6)}😀${'b'.repeat(20)}`, 20)).toBe(`${'a'.repeat(6)} …[truncated]`);
  });

  it('cuts text to its UTF-8 budget and says so on a line of its own', () => {
    const cut = cutText('é'.repeat(100), 50);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(50);
    expect(cut).toMatch(/^é+\n\[truncated\]$/u);
  });

  it('cuts HTML before a tag it would split', () => {
    expect(cutHtml(`<p>${'x'.repeat(30)}</p><a href="https://example.com/long">`, 60)).toBe(`<p>${'x'.repeat(30)}</p><p>[truncated]</p>`);
  });

  it('never splits a character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
  });

  it('keeps the root and the last 50 References', () => {
    const ids = Array.from({ length: 16_400 }, (_, index) => `<r${index}@x.example>`);
    const kept = boundReferences(ids);
    expect(kept).toHaveLength(51);
    expect(kept[0]).toBe('<r0@x.example>');
    expect(kept.at(-1)).toBe('<r16399@x.example>');
    expect(boundReferences(ids.slice(0, 51))).toHaveLength(51);
  });
});

describe('parseInboundMail within its budget', () => {
  it('a 560 KB display name, a 10 KB subject and 5,000 References give a small result, cut visibly', async () => {
    const references = Array.from({ length: 5_000 }, (_, index) => `<ref${index}@customer.example>`).join(' ');
    const raw = Buffer.from(
      `From: "${'N'.repeat(560 * 1024)}" <ann@customer.example>\r\nTo: "${'T'.repeat(100 * 1024)}" <support@acme.example>\r\nSubject: ${'s'.repeat(10 * 1024)}\r\nReferences: ${references}\r\nX-Loop: ${'l'.repeat(50_000)}\r\n\r\nHello\r\n`,
    );
    const mail = await parseInboundMail(raw, channel);
    expect(mail.from).toEqual({ address: 'ann@customer.example', name: `${'N'.repeat(INBOUND_LIMITS.nameChars - 13)} …[truncated]` });
    expect(mail.to[0]!.name).toHaveLength(INBOUND_LIMITS.nameChars);
    expect(mail.subject).toHaveLength(INBOUND_LIMITS.subjectChars);
    expect(mail.subject.endsWith('…[truncated]')).toBe(true);
    expect(mail.references).toHaveLength(51);
    expect(mail.headers['x-loop']).toHaveLength(INBOUND_LIMITS.headerValueChars);
    expect(mail.classification.reasons.every((reason) => reason.length <= INBOUND_LIMITS.reasonChars)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(mail))).toBeLessThan(20_000);
  });
});
