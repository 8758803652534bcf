import { describe, expect, it } from 'vitest';
import { cutHtml, cutText, jsonByteLength, shareBudget, TRUNCATION_MARKER } from './bounded-text.js';

/** What the string takes inside JSON, measured the way NATS will: the serialised bytes without the quotes. */
const measured = (text: string) => Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;

describe('jsonByteLength', () => {
  it.each([
    ['plain ASCII', 'Hello there'],
    ['quotes and backslashes', 'say "hi" \\ bye'],
    ['newlines and tabs', 'a\nb\tc\r\n'],
    ['control characters', 'a\u0000b\u0001c\u001f'],
    ['accents, CJK and emoji', 'Grüße 東京 😀'],
    ['a lone surrogate', 'x\ud800y'],
    ['line separators', 'a\u2028b\u2029c'],
  ])('counts %s as JSON.stringify writes them', (_name, text) => {
    expect(jsonByteLength(text)).toBe(measured(text));
  });
});

describe('cutText', () => {
  it('leaves a text that fits untouched', () => {
    expect(cutText('Order 42 is late', 100)).toBe('Order 42 is late');
    expect(cutText('', 0)).toBe('');
  });

  it('cuts a long text to the budget, with the visible marker at the end', () => {
    const name = 'A'.repeat(560 * 1024);
    const cut = cutText(name, 256);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(jsonByteLength(cut)).toBeLessThanOrEqual(256);
    expect(cut.startsWith('AAAA')).toBe(true);
    expect(jsonByteLength(cut)).toBeGreaterThan(250);
  });

  it('counts escapes and multi-byte characters, and never splits a surrogate pair', () => {
    for (const text of ['😀'.repeat(1000), '"'.repeat(1000), '\u0001'.repeat(1000), 'é東😀\n'.repeat(500)]) {
      for (const budget of [20, 21, 22, 23, 100, 333]) {
        const cut = cutText(text, budget);
        expect(measured(cut)).toBeLessThanOrEqual(budget);
        expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/u);
        expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
      }
    }
  });

  it('gives the bare start when the budget cannot hold the marker', () => {
    expect(cutText('abcdefghijklmnopqrstuvwxyz', 5)).toBe('abcde');
  });
});

describe('cutHtml', () => {
  it('never ends inside a tag', () => {
    const html = `<p>${'word '.repeat(50)}</p><a href="https://example.com/${'x'.repeat(200)}">link</a>`;
    const cut = cutHtml(html, 300);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    const start = cut.slice(0, -TRUNCATION_MARKER.length);
    expect(start.lastIndexOf('<')).toBeLessThan(start.lastIndexOf('>'));
    expect(start).toBe(html.slice(0, start.length));
    expect(jsonByteLength(cut)).toBeLessThanOrEqual(300);
  });
});

describe('shareBudget', () => {
  it('lets small texts keep everything and splits the rest among the large ones', () => {
    expect(shareBudget([10, 1_000, 1_000], 610)).toEqual([10, 300, 300]);
    expect(shareBudget([10, 20], 1_000)).toEqual([10, 20]);
    expect(shareBudget([500, 100, 2_000], 1_000)).toEqual([450, 100, 450]);
  });

  it('never hands out more than the total', () => {
    const budgets = shareBudget([7_000, 3, 99_999, 12], 5_001);
    expect(budgets.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_001);
    expect(shareBudget([100], -5)).toEqual([0]);
  });
});
