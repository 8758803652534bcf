import { describe, expect, it } from 'vitest';
import { composeLocalReply, greetingName, LocalReplyGenerator } from './local-reply.generator.js';
import type { ReplyFacts } from './reply-prompt.js';

const facts: ReplyFacts = {
  ticketSubject: 'Order 4711 missing',
  customerName: 'Jane Doe',
  latestCustomerText: 'Hi,\n\nmy order 4711 has not arrived yet.\nIt was due last week.\n\nOn Mon, Support wrote:\n> old',
  answeredCount: 1,
  senderName: 'ACME Support',
};

describe('LocalReplyGenerator', () => {
  it('writes a short polite email: greeting by name, the request, a follow-up line, sign-off', async () => {
    const { text } = await new LocalReplyGenerator().generate({ messages: [], facts });
    expect(text).toBe(
      [
        'Hello Jane,',
        '',
        'Thank you for your message about "Order 4711 missing". You wrote: "my order 4711 has not arrived yet." ' +
          'We have received your request and are looking into it.',
        '',
        'If anything needs a closer look, a member of our team will follow up with you.',
        '',
        'Kind regards,',
        'ACME Support',
      ].join('\n'),
    );
  });

  it('is deterministic', () => {
    expect(composeLocalReply(facts)).toBe(composeLocalReply({ ...facts }));
  });

  it('says "Hello," when the customer gave no name', () => {
    expect(composeLocalReply({ ...facts, customerName: null }).split('\n')[0]).toBe('Hello,');
  });

  it('speaks of messages when it answers several', () => {
    expect(composeLocalReply({ ...facts, answeredCount: 2 })).toContain('Thank you for your messages about "Order 4711 missing".');
  });

  it('does not quote a first line that only repeats the subject', () => {
    const text = composeLocalReply({ ...facts, latestCustomerText: 'Order 4711 missing' });
    expect(text).toContain('Thank you for your message about "Order 4711 missing". We have received');
  });

  it('does without a subject and without text', () => {
    const text = composeLocalReply({ ...facts, ticketSubject: '', latestCustomerText: '' });
    expect(text).toContain('Thank you for your message. We have received your request');
  });
});

describe('greetingName', () => {
  it('greets by first name', () => {
    expect(greetingName('Jane Doe')).toBe('Jane');
    expect(greetingName('"Doe, Jane"')).toBe('Jane');
    expect(greetingName('Jane')).toBe('Jane');
  });

  it('keeps a title with the name', () => {
    expect(greetingName('Dr. Jane Doe')).toBe('Dr. Jane Doe');
  });

  it('has no name for an address or nothing', () => {
    expect(greetingName('jane@example.com')).toBeNull();
    expect(greetingName('  ')).toBeNull();
    expect(greetingName(null)).toBeNull();
  });
});
