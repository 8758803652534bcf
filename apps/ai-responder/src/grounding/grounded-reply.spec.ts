import { describe, expect, it } from 'vitest';
import { composeGroundedReply } from './grounded-reply.js';
import { passage } from './grounding-fixtures.js';

describe('composeGroundedReply', () => {
  it('greets by name, gives the passages as written with where to read more, and signs with the From name', () => {
    const text = composeGroundedReply({ customerName: 'Jane', senderName: 'Lumen Support', language: 'en', passages: [passage()] });
    expect(text).toBe(
      [
        'Hello Jane,',
        '',
        'Thank you for your message.',
        '',
        'You can return any item within 30 days of delivery.',
        '',
        'More: https://shop.example/help/returns',
        '',
        'If anything is still unclear, just reply to this email.',
        '',
        'Kind regards,',
        'Lumen Support',
      ].join('\n'),
    );
  });

  it('writes in German for German passages, and leaves out a heading the passage starts with', () => {
    const german = passage({ language: 'de', title: 'Rücksendungen', heading: 'Frist', url: null, text: 'Frist\nSie können jeden Artikel innerhalb von 30 Tagen zurücksenden.' });
    const text = composeGroundedReply({ customerName: null, senderName: 'Lumen', language: 'de', passages: [german] });
    expect(text.split('\n')[0]).toBe('Guten Tag,');
    expect(text).toContain('\nSie können jeden Artikel innerhalb von 30 Tagen zurücksenden.\n');
    expect(text).not.toMatch(/^Frist$/mu);
    expect(text).toContain('Viele Grüße\nLumen');
  });

  it('answers in English where it has no sentences of its own for the language', () => {
    expect(composeGroundedReply({ customerName: null, senderName: 'S', language: 'fi', passages: [passage()] })).toMatch(/^Hello,/u);
  });
});
