import { describe, expect, it } from 'vitest';
import { attachmentPath, linkAttachments } from './attachment-links.js';

const ids = { projectId: 'p1', ticketId: 'T', messageId: 'M' };

describe('linkAttachments', () => {
  it('points inline images at the attachment route', () => {
    const html = '<p>See:</p><img src="ensoras-attachment:0" alt="chart"><img src=\'ensoras-attachment:1\'>';
    expect(linkAttachments(html, ids, 2)).toBe(
      '<p>See:</p><img src="/v1/projects/p1/tickets/T/messages/M/attachments/0" alt="chart">' +
        "<img src='/v1/projects/p1/tickets/T/messages/M/attachments/1'>",
    );
  });

  it('also rewrites unquoted attribute values and links', () => {
    expect(linkAttachments('<img src=ensoras-attachment:3>', ids, 4)).toBe('<img src=/v1/projects/p1/tickets/T/messages/M/attachments/3>');
    expect(linkAttachments('<a href="ensoras-attachment:0">file</a>', ids, 1)).toBe(
      '<a href="/v1/projects/p1/tickets/T/messages/M/attachments/0">file</a>',
    );
  });

  it('leaves references to attachments the message does not have (oversized mail keeps none)', () => {
    const html = '<img src="ensoras-attachment:2">';
    expect(linkAttachments(html, ids, 2)).toBe(html);
    expect(linkAttachments(html, ids, 0)).toBe(html);
  });

  it('does not touch the words in running text', () => {
    const html = '<p>our scheme ensoras-attachment:0 is internal</p>';
    expect(linkAttachments(html, ids, 1)).toBe(html);
  });

  it('passes null and HTML without references through unchanged', () => {
    expect(linkAttachments(null, ids, 3)).toBeNull();
    expect(linkAttachments('<b>hi</b>', ids, 3)).toBe('<b>hi</b>');
  });

  it('builds the route path', () => {
    expect(attachmentPath(ids, 7)).toBe('/v1/projects/p1/tickets/T/messages/M/attachments/7');
  });
});
