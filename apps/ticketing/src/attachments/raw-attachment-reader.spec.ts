import { describe, expect, it } from 'vitest';
import type { AttachmentMeta } from '@ensoras/contracts';
import { pickAttachment } from './raw-attachment-reader.js';

const meta = (filename: string | null, size: number, contentType = 'application/pdf', contentId: string | null = null): AttachmentMeta => ({
  filename,
  contentType,
  size,
  contentId,
  inline: false,
});
const part = (m: AttachmentMeta, body: string) => ({ ...m, content: Buffer.from(body) });

describe('pickAttachment', () => {
  const a = meta('a.pdf', 10);
  const b = meta(null, 20, 'image/png', '<img1@x>');
  const c = meta('c.pdf', 30);

  it('takes the part at the stored index when it matches', () => {
    expect(pickAttachment([part(a, 'A'), part(b, 'B'), part(c, 'C')], [a, b, c], 1)?.content.toString()).toBe('B');
  });

  it('finds the described part when the parser lists them in another order', () => {
    expect(pickAttachment([part(c, 'C'), part(a, 'A'), part(b, 'B')], [a, b, c], 0)?.content.toString()).toBe('A');
  });

  it('keeps identical-looking attachments apart by their rank', () => {
    const same = meta('scan.pdf', 5);
    const parsed = [part(a, 'A'), part(same, 'first'), part(same, 'second')];
    expect(pickAttachment(parsed, [same, same, a], 1)?.content.toString()).toBe('second');
    expect(pickAttachment(parsed, [same, same, a], 0)?.content.toString()).toBe('first');
  });

  it('serves nothing rather than a wrong file', () => {
    expect(pickAttachment([part(a, 'A')], [meta('a.pdf', 11)], 0)).toBeNull();
    expect(pickAttachment([part(a, 'A')], [a], 1)).toBeNull();
    expect(pickAttachment([], [a], 0)).toBeNull();
  });
});
