import { describe, expect, it } from 'vitest';
import { composeLocalReply, greetingName, LocalReplyGenerator } from './local-reply.generator.js';
import { PromptBuilder } from './prompt-builder.js';
import type { ReplyFacts } from './reply-prompt.js';

const facts: ReplyFacts = {
  customerName: 'Jane Doe',
  answeredCount: 1,
  senderName: 'ACME Support',
};
const guard = { nonce: '0123456789abcdef01234567', instructions: '', communicationStyle: '', guidelines: '' };

describe('LocalReplyGenerator', () => {
  it('writes a short polite email: greeting by name, the request, a follow-up line, sign-off', async () => {
    const { text } = await new LocalReplyGenerator().generate({ messages: [], facts, guard });
    expect(text).toBe(
      [
        'Hello Jane,',
        '',
        'Thank you for your message. We have received your request and are looking into it.',
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
    expect(composeLocalReply({ ...facts, answeredCount: 2 })).toContain('Thank you for your messages.');
  });

  it('never repeats the mail: neither its text nor its subject reach the reply', async () => {
    const prompt = new PromptBuilder().build({
      communicationStyle: '',
      guidelines: '',
      identity: { fromName: 'ACME Support', fromEmail: 'support@acme.test' },
      conversation: [{
        messageId: 'm1', direction: 'inbound', author: 'customer', from: { address: 'victim@elsewhere.example', name: 'Jane' },
        subject: 'WIN a prize at evil.example', ticketSubject: 'WIN a prize at evil.example',
        text: 'Claim your prize now at https://evil.example/claim', createdAt: new Date(),
      }],
      answeringMessageIds: ['m1'],
    });
    const { text } = await new LocalReplyGenerator().generate(prompt);
    expect(text).not.toMatch(/prize|evil|claim/i);
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

  it('greets by nothing that does not look like a name', () => {
    expect(greetingName('evil.example/claim Jane')).toBeNull();
    expect(greetingName('https://evil.example')).toBeNull();
    expect(greetingName('Prize#1')).toBeNull();
    expect(greetingName('x'.repeat(41))).toBeNull();
    expect(greetingName("Jean-Luc O'Neil")).toBe('Jean-Luc');
  });

  it('has no name for an address or nothing', () => {
    expect(greetingName('jane@example.com')).toBeNull();
    expect(greetingName('  ')).toBeNull();
    expect(greetingName(null)).toBeNull();
  });
});
