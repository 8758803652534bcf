import { describe, expect, it } from 'vitest';
import { blocksOf, detectBodyFormat } from './article-text.js';
import { PASSAGE_SIZE, splitArticle } from './passage-splitter.js';

const markdown = (title: string, body: string) => splitArticle({ title, body, format: detectBodyFormat(body) });

describe('detectBodyFormat', () => {
  it('tells HTML from Markdown by the content', () => {
    expect(detectBodyFormat('<p>Hello</p>')).toBe('html');
    expect(detectBodyFormat('  <!DOCTYPE html><html><body>Hi</body></html>')).toBe('html');
    expect(detectBodyFormat('Returns are free.<br>Within <strong>30 days</strong>.</p>')).toBe('html');
    expect(detectBodyFormat('# Returns\n\nReturns are **free**.')).toBe('markdown');
    expect(detectBodyFormat('Plain text, no markup at all.')).toBe('markdown');
    // Markdown with a little HTML of its own stays Markdown.
    expect(detectBodyFormat('## Contact\n\n- Mail <a href="mailto:help@shop.example">us</a>\n')).toBe('markdown');
  });
});

describe('splitArticle', () => {
  it('cuts Markdown at its headings, each passage keeping the headings above it', () => {
    const passages = markdown(
      'Returns and refunds',
      [
        '# Returns and refunds',
        '',
        'Everything about sending things back.',
        '',
        '## Returning an item',
        '',
        'You can return any item within **30 days** of delivery. Use the [returns form](https://shop.example/returns).',
        '',
        '### Damaged items',
        '',
        'Send us a photo &amp; we replace it:',
        '',
        '- no need to send it back',
        '- a new one ships within 2 days',
        '',
        '## Refunds',
        '',
        'Refunds reach your account within 5 to 7 business days.',
      ].join('\n'),
    );
    expect(passages).toEqual([
      { position: 0, heading: null, text: 'Everything about sending things back.' },
      {
        position: 1,
        heading: 'Returning an item',
        text: 'You can return any item within 30 days of delivery. Use the returns form (https://shop.example/returns).',
      },
      {
        position: 2,
        heading: 'Returning an item › Damaged items',
        text: 'Send us a photo & we replace it:\n\n- no need to send it back\n- a new one ships within 2 days',
      },
      { position: 3, heading: 'Refunds', text: 'Refunds reach your account within 5 to 7 business days.' },
    ]);
  });

  it('reads HTML the same way, leaving out scripts, styles and the head', () => {
    const body = `<!DOCTYPE html><html><head><title>Shipping</title><style>p { color: red }</style></head><body>
      <h1>Shipping</h1>
      <p>We ship to   the EU&nbsp;and the UK.</p>
      <script>alert("not text")</script>
      <h2>Costs</h2>
      <table><tr><th>Zone</th><th>Price</th></tr><tr><td>EU</td><td>4.90&nbsp;&euro;</td></tr></table>
      <h2>Times</h2>
      <ol><li><p>Germany: 1–2 days</p></li><li>Rest of the EU: 3–5 days</li></ol>
      <p>Questions? <a href="mailto:help@shop.example">Write to us</a>.<br>We answer within a day.</p>
    </body></html>`;
    expect(detectBodyFormat(body)).toBe('html');
    expect(splitArticle({ title: 'Shipping', body, format: 'html' })).toEqual([
      { position: 0, heading: null, text: 'We ship to the EU and the UK.' },
      { position: 1, heading: 'Costs', text: 'Zone | Price\nEU | 4.90 €' },
      {
        position: 2,
        heading: 'Times',
        text: '1. Germany: 1–2 days\n2. Rest of the EU: 3–5 days\n\nQuestions? Write to us (help@shop.example).\nWe answer within a day.',
      },
    ]);
  });

  it('cuts a long section between paragraphs into passages of about even length', () => {
    const paragraph = (n: number) => `Paragraph ${n} says something about the warranty. `.repeat(5).trim();
    const body = `## Warranty\n\n${Array.from({ length: 8 }, (_, n) => paragraph(n)).join('\n\n')}`;
    const passages = markdown('Our promise', body);
    expect(passages.length).toBeGreaterThan(1);
    for (const passage of passages) {
      expect(passage.heading).toBe('Warranty');
      expect(passage.text.length).toBeLessThanOrEqual(PASSAGE_SIZE.maxChars);
      expect(passage.text.length).toBeGreaterThanOrEqual(PASSAGE_SIZE.minChars);
      // Whole paragraphs only.
      expect(passage.text.split('\n\n').every((part) => /^Paragraph \d says/.test(part))).toBe(true);
    }
    expect(passages.map((passage) => passage.text).join('\n\n')).toBe(Array.from({ length: 8 }, (_, n) => paragraph(n)).join('\n\n'));
  });

  it('cuts a paragraph longer than a passage between sentences, and a word longer than one anywhere', () => {
    const sentences = Array.from({ length: 60 }, (_, n) => `Sentence number ${n} of one very long paragraph.`);
    const passages = markdown('Long', sentences.join(' '));
    expect(passages.length).toBeGreaterThanOrEqual(3);
    for (const passage of passages) {
      expect(passage.text.length).toBeLessThanOrEqual(PASSAGE_SIZE.maxChars);
      expect(passage.text).toMatch(/^Sentence number \d+ .*paragraph\.$/);
    }
    expect(passages.map((passage) => passage.text).join(' ')).toBe(sentences.join(' '));

    const blob = 'x'.repeat(3_000);
    const cut = markdown('Blob', blob);
    expect(cut.map((passage) => passage.text.length)).toEqual([1_200, 1_200, 600]);
  });

  it('gives no passage for an empty body, or one with markup and no text', () => {
    expect(markdown('Empty', '')).toEqual([]);
    expect(markdown('Empty', '   \n\n  ')).toEqual([]);
    expect(splitArticle({ title: 'Empty', body: '<div><p> </p><script>x()</script></div>', format: 'html' })).toEqual([]);
    // A heading with nothing under it is no passage either.
    expect(markdown('Only headings', '# One\n\n## Two')).toEqual([]);
  });

  it('reads deeply nested and unclosed HTML in linear time', () => {
    const nested = `${'<div>'.repeat(60_000)}deep text${'</div>'.repeat(60_000)}`;
    const started = performance.now();
    expect(blocksOf(nested, 'html')).toEqual([{ kind: 'text', text: 'deep text' }]);
    const unclosed = '<h2>Heading never closed <p>and a page of text</p>'.repeat(2_000);
    expect(blocksOf(unclosed, 'html').length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
