import { describe, expect, it } from 'vitest';
import { withoutQuotedHistory } from './quoted-history.js';

describe('withoutQuotedHistory', () => {
  it('cuts at a Gmail-style attribution line and drops > lines', () => {
    const text = 'Still nothing.\n\nOn Mon, 1 Jan 2025 at 10:00, Support <support@example.com> wrote:\n> Hello Jane,\n> we are on it.';
    expect(withoutQuotedHistory(text)).toBe('Still nothing.');
  });

  it('cuts at an attribution wrapped before "wrote:"', () => {
    expect(withoutQuotedHistory('Thanks!\nOn Mon, 1 Jan 2025 at 10:00, Support <support@example.com>\nwrote:\n> x')).toBe('Thanks!');
  });

  it('cuts at an Outlook header block and at the signature separator', () => {
    expect(withoutQuotedHistory('See below.\n\nFrom: Support <s@example.com>\nSent: Monday\nold text')).toBe('See below.');
    expect(withoutQuotedHistory('Where is it?\n-- \nJane Doe\nACME')).toBe('Where is it?');
  });

  it('keeps a "From:" line that is part of the message', () => {
    expect(withoutQuotedHistory('From: my address book\nit is gone')).toBe('From: my address book\nit is gone');
  });

  it('keeps a message that is nothing but a quote', () => {
    expect(withoutQuotedHistory('> only quoted')).toBe('> only quoted');
  });
});
