import { describe, expect, it } from 'vitest';
import { attachmentHeaders } from './attachment-response.js';

describe('attachmentHeaders', () => {
  it('shows raster images inline', () => {
    expect(attachmentHeaders({ filename: 'chart.png', contentType: 'image/png' }, 0)).toEqual({
      contentType: 'image/png',
      disposition: `inline; filename="chart.png"; filename*=UTF-8''chart.png`,
    });
  });

  it('offers everything else as a download, SVG and HTML included', () => {
    for (const contentType of ['application/pdf', 'image/svg+xml', 'text/html']) {
      expect(attachmentHeaders({ filename: 'x', contentType }, 0).disposition).toMatch(/^attachment;/);
    }
  });

  it('encodes non-ASCII names and keeps quotes out of the fallback', () => {
    const { disposition } = attachmentHeaders({ filename: 'Rechnung "März" (1).pdf', contentType: 'application/pdf' }, 0);
    expect(disposition).toBe(`attachment; filename="Rechnung _M_rz_ (1).pdf"; filename*=UTF-8''Rechnung%20%22M%C3%A4rz%22%20%281%29.pdf`);
  });

  it('names an unnamed attachment by its index', () => {
    expect(attachmentHeaders({ filename: null, contentType: 'application/octet-stream' }, 3).disposition).toContain('filename="attachment-3"');
  });

  it('serves a malformed content type as bytes', () => {
    expect(attachmentHeaders({ filename: 'a', contentType: 'text/html; charset=utf-8\r\nX-Evil: 1' }, 0).contentType).toBe('application/octet-stream');
    expect(attachmentHeaders({ filename: 'a', contentType: 'Image/PNG' }, 0).contentType).toBe('image/png');
  });
});
