import { describe, expect, it } from 'vitest';
import { composeReplyBodies, escapeHtml, htmlToPlainText, textToHtml } from './reply-body.js';

describe('htmlToPlainText', () => {
  it('keeps paragraphs and links, does not wrap', () => {
    const long = 'word '.repeat(40).trim();
    const text = htmlToPlainText(`<p>Hello <b>there</b>,</p><p>${long}</p><p>See <a href="https://example.com/faq">our FAQ</a>.</p>`);
    expect(text).toBe(`Hello there,\n\n${long}\n\nSee our FAQ [https://example.com/faq].`);
  });

  it('does not repeat a link whose text is its address', () => {
    expect(htmlToPlainText('<a href="https://example.com">https://example.com</a>')).toBe('https://example.com');
  });

  it('decodes entities', () => {
    expect(htmlToPlainText('<p>Tom &amp; Jerry &lt;3</p>')).toBe('Tom & Jerry <3');
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });
});

describe('textToHtml', () => {
  it('splits paragraphs on blank lines and turns single newlines into <br>', () => {
    expect(textToHtml('Hello,\n\nline one\nline two\n\n\nBest')).toBe(
      '<p>Hello,</p>\n<p>line one<br>line two</p>\n<p>Best</p>',
    );
  });

  it('handles CRLF and whitespace-only separator lines', () => {
    expect(textToHtml('a\r\n \r\nb\r\nc')).toBe('<p>a</p>\n<p>b<br>c</p>');
  });

  it('escapes the text', () => {
    expect(textToHtml('1 < 2 & "3" > 0')).toBe('<p>1 &lt; 2 &amp; &quot;3&quot; &gt; 0</p>');
  });

  it('is empty for empty text', () => {
    expect(textToHtml('')).toBe('');
  });
});

describe('composeReplyBodies', () => {
  const signatureHtml = '<p>Best regards,<br>Acme Support<br><a href="https://acme.example">acme.example</a></p>';

  it('appends the signature to both parts', () => {
    const bodies = composeReplyBodies({ text: 'Hello Anna,\n\nyour order ships today.', signatureHtml });
    expect(bodies.text).toBe(
      'Hello Anna,\n\nyour order ships today.\n\n-- \nBest regards,\nAcme Support\nacme.example [https://acme.example]',
    );
    expect(bodies.html).toBe(
      `<p>Hello Anna,</p>\n<p>your order ships today.</p>\n<div class="signature">${signatureHtml}</div>`,
    );
  });

  it('escapes the text in the HTML part, never in the text part', () => {
    const bodies = composeReplyBodies({ text: 'Use <b>bold</b> & "quotes"\nnext line' });
    expect(bodies.html).toBe('<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;<br>next line</p>');
    expect(bodies.text).toBe('Use <b>bold</b> & "quotes"\nnext line');
  });

  it('uses the given HTML as it is', () => {
    const bodies = composeReplyBodies({ text: 'Hi', html: '<p>Hi <em>there</em></p>', signatureHtml: '<i>Acme</i>' });
    expect(bodies.html).toBe('<p>Hi <em>there</em></p>\n<div class="signature"><i>Acme</i></div>');
    expect(bodies.text).toBe('Hi\n\n-- \nAcme');
  });

  it('leaves both parts without a separator when there is no signature', () => {
    for (const signature of [undefined, null, '', '   ']) {
      const bodies = composeReplyBodies({ text: 'Hi\n', signatureHtml: signature });
      expect(bodies).toEqual({ text: 'Hi\n', html: '<p>Hi</p>' });
    }
  });

  it('does not leave extra blank lines before the separator', () => {
    expect(composeReplyBodies({ text: 'Hi\n\n\n', signatureHtml: '<p>Acme</p>' }).text).toBe('Hi\n\n-- \nAcme');
  });
});
