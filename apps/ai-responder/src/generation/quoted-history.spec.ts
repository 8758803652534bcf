import { describe, expect, it } from 'vitest';
import { firstMeaningfulLine, withoutQuotedHistory } from './quoted-history.js';

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

describe('firstMeaningfulLine', () => {
  it('skips the salutation', () => {
    expect(firstMeaningfulLine('Hi team,\n\nMy order 4711 has not arrived.\nCan you check?')).toBe('My order 4711 has not arrived.');
    expect(firstMeaningfulLine('Dear Support,\nThe invoice is wrong.')).toBe('The invoice is wrong.');
  });

  it('keeps a first line that only starts like a greeting', () => {
    expect(firstMeaningfulLine('Hello, my parcel is damaged. What now?')).toBe('Hello, my parcel is damaged. What now?');
  });

  it('cuts a long line at a word boundary', () => {
    const line = firstMeaningfulLine(`${'word '.repeat(40)}end`, 30);
    expect(line.endsWith('…')).toBe(true);
    expect(line.length).toBeLessThanOrEqual(31);
    expect(line).not.toMatch(/wor…$/);
  });

  it('returns an empty string for an empty message', () => {
    expect(firstMeaningfulLine('  \n\n')).toBe('');
  });
});
