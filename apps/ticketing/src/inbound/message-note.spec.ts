import { describe, expect, it } from 'vitest';
import { receivedMailNote } from './message-note.js';

describe('receivedMailNote', () => {
  it('says nothing about an ordinary mail', () => {
    expect(receivedMailNote({ size: 2_000, oversized: false, truncated: false }, 25)).toBeNull();
  });

  it('tells that an oversized mail lost its attachments, with its size and the limit', () => {
    const note = receivedMailNote({ size: 31 * 1024 * 1024, oversized: true, truncated: false }, 25);
    expect(note).toContain('31 MB');
    expect(note).toContain('size limit of 25 MB');
    expect(note).toContain('attachments were not kept');
  });

  it('shows small sizes with one decimal', () => {
    expect(receivedMailNote({ size: 1.5 * 1024 * 1024, oversized: true, truncated: false }, 1)).toContain('1.5 MB');
  });

  it('tells that the text was cut, alone or together with the size', () => {
    expect(receivedMailNote({ size: 100, oversized: false, truncated: true }, 25)).toMatch(/text was cut/);
    const both = receivedMailNote({ size: 40 * 1024 * 1024, oversized: true, truncated: true }, 25)!;
    expect(both).toMatch(/attachments were not kept.*text was cut/);
  });

  it('copes with a size it cannot read', () => {
    expect(receivedMailNote({ size: Number.NaN, oversized: true, truncated: false }, 25)).toContain('larger than allowed');
  });
});
