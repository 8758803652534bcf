import type { AttachmentMeta } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from './html-sanitizer.js';

const image = (contentId: string | null): AttachmentMeta => ({ filename: 'x.png', contentType: 'image/png', size: 1, contentId, inline: true });

describe('sanitizeMailHtml', () => {
  it.each([
    ['script', '<p>a</p><script>alert(1)</script>', '<p>a</p>'],
    ['event handler', '<p onclick="x()" onmouseover="y()">a</p>', '<p>a</p>'],
    ['javascript: link', '<a href="javascript:alert(1)">a</a>', '<a target="_blank" rel="noopener noreferrer nofollow">a</a>'],
    ['data: link', '<a href="data:text/html,<script>x</script>">a</a>', '<a target="_blank" rel="noopener noreferrer nofollow">a</a>'],
    ['data: image', '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="a">', '<img alt="a" />'],
    ['protocol-relative image', '<img src="//evil.example/x.png" alt="a">', '<img alt="a" />'],
    ['CSS url() in a style', '<p style="background: url(https://t.example/p.gif); color: red">a</p>', '<p style="color:red">a</p>'],
    ['style element', '<style>p { color: red }</style><p>a</p>', '<p>a</p>'],
    ['iframe, object, form', '<iframe src="https://e.example"></iframe><object data="x"></object><form><input></form>b', 'b'],
    ['tracking pixel', '<img src="https://t.example/open?id=1" width="1" height="1">b', 'b'],
  ])('drops %s', (_name, html, expected) => {
    expect(sanitizeMailHtml(html, [])).toBe(expected);
  });

  it.each([
    ['formatting', '<p><b>bold</b> <i>it</i> <u>u</u><br /><span style="font-weight:bold">s</span></p>'],
    ['tables', '<table border="1" cellpadding="2"><tr><th>h</th></tr><tr><td colspan="2" align="right">c</td></tr></table>'],
    ['lists and quotes', '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote>q</blockquote>'],
    ['remote images', '<img src="https://cdn.example/logo.png" alt="logo" width="120" />'],
    ['old-style fonts', '<font color="#ff0000" face="Arial">red</font>'],
  ])('keeps %s', (_name, html) => {
    expect(sanitizeMailHtml(html, [])).toBe(html);
  });

  it('makes links open apart, without referrer', () => {
    expect(sanitizeMailHtml('<a href="https://shop.example/o/42">o</a>', [])).toBe(
      '<a href="https://shop.example/o/42" target="_blank" rel="noopener noreferrer nofollow">o</a>',
    );
  });

  it('points cid: images at their attachment by index, whatever the brackets and case', () => {
    const attachments = [image(null), image('<Logo@Acme>'), image('<sig@acme>')];
    expect(sanitizeMailHtml('<img src="cid:logo@acme"><img src="CID:sig@acme" alt="s">', attachments)).toBe(
      '<img src="ensoras-attachment:1" /><img alt="s" src="ensoras-attachment:2" />',
    );
  });

  it('drops a cid: image whose part is not listed (e.g. an oversized mail keeps none)', () => {
    expect(sanitizeMailHtml('<img src="cid:logo@acme">x', [])).toBe('x');
  });
});
