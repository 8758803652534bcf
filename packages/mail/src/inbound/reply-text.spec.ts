import { describe, expect, it } from 'vitest';
import { newTextOf } from './reply-text.js';

describe('newTextOf', () => {
  it.each([
    ['Gmail (English)', 'Yes, please.\n\nOn Tue, 4 Nov 2025 at 10:00, Acme Support <support@acme.example> wrote:\n> Shall we send a new one?\n', 'Yes, please.'],
    ['German client', 'Ja, bitte.\n\nAm 04.11.2025 um 10:00 schrieb Acme Support <support@acme.example>:\n> Sollen wir ein neues schicken?\n', 'Ja, bitte.'],
    ['French client', 'Oui, merci.\n\nLe mar. 4 nov. 2025 à 10:00, Acme Support <support@acme.example> a écrit :\n> Voulez-vous un nouveau ?\n', 'Oui, merci.'],
    ['Outlook', 'Yes.\n\n-----Original Message-----\nFrom: Acme Support <support@acme.example>\nSent: Tuesday, November 4, 2025 10:00 AM\nSubject: Re: Order\n\nShall we?\n', 'Yes.'],
    ['signature after "-- "', 'The code is 4711.\n\n-- \nAnna Example\nExample Ltd.\n', 'The code is 4711.'],
  ])('%s', (_client, text, expected) => {
    expect(newTextOf(text)).toBe(expected);
  });

  it('keeps a mail without quote as it is (trimmed)', () => {
    expect(newTextOf('Hello,\n\nmy order 42 has not arrived.\n')).toBe('Hello,\n\nmy order 42 has not arrived.');
  });

  it('gives the whole text when everything is quoted, never an empty message for a non-empty one', () => {
    const text = 'On Tue, 4 Nov 2025 at 10:00, Acme Support <support@acme.example> wrote:\n> Shall we send a new one?\n';
    expect(newTextOf(text)).toBe(text);
    expect(newTextOf('   ')).toBe('');
  });
});
