import { describe, expect, it } from 'vitest';
import { MAX_PROMPT_MESSAGES, PromptBuilder, type PromptInput } from './prompt-builder.js';
import type { ConversationEntry } from './reply-prompt.js';

const jane = { address: 'jane@example.com', name: 'Jane Doe' };
let minute = 0;
function entry(overrides: Partial<ConversationEntry> & Pick<ConversationEntry, 'messageId' | 'text'>): ConversationEntry {
  minute += 1;
  return {
    direction: 'inbound',
    author: 'customer',
    from: jane,
    subject: 'Order 4711 missing',
    ticketSubject: 'Order 4711 missing',
    createdAt: new Date(Date.UTC(2025, 0, 1, 10, minute)),
    ...overrides,
  };
}

function input(overrides: Partial<PromptInput> = {}): PromptInput {
  return {
    communicationStyle: 'Warm and concise. We use first names.',
    guidelines: 'Use a professional email tone with proper greeting and sign-off.',
    identity: { fromName: 'ACME Support', fromEmail: 'support@acme.test' },
    conversation: [
      entry({ messageId: 'm1', text: 'Hi,\nmy order 4711 has not arrived.' }),
      entry({ messageId: 'm2', direction: 'outbound', author: 'ai', from: { address: 'support@acme.test', name: 'ACME Support' }, subject: 'Re: Order 4711 missing', text: 'Hello Jane,\nwe are checking.' }),
      entry({ messageId: 'm3', subject: 'Re: Order 4711 missing', text: 'Still nothing!\n\nOn Wed, ACME Support wrote:\n> Hello Jane,\n> we are checking.' }),
    ],
    answeringMessageIds: ['m3'],
    ...overrides,
  };
}

describe('PromptBuilder', () => {
  const builder = new PromptBuilder();

  it('puts the communication style, the channel guidelines and the sender into the instructions', () => {
    const [system] = builder.build(input()).messages;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('Warm and concise. We use first names.');
    expect(system!.content).toContain('Use a professional email tone with proper greeting and sign-off.');
    expect(system!.content).toContain('ACME Support <support@acme.test>');
    expect(system!.content.indexOf('Communication style')).toBeLessThan(system!.content.indexOf('Guidelines for the email channel'));
  });

  it('says so when style or guidelines are empty', () => {
    const [system] = builder.build(input({ communicationStyle: ' ', guidelines: '' })).messages;
    expect(system!.content).toContain('(none given: be friendly, clear and professional)');
    expect(system!.content).toContain('(none given)');
  });

  it('lists the conversation oldest first, customer and us labelled, the answered message marked', () => {
    const user = builder.build(input()).messages[1]!;
    expect(user.role).toBe('user');
    const text = user.content;
    expect(text).toContain('Ticket subject: Order 4711 missing');
    expect(text).toContain('[1] Customer (Jane Doe <jane@example.com>), 2025-01-01 10:');
    expect(text).toContain('[2] Us (AI reply), 2025-01-01 10:');
    expect(text.indexOf('my order 4711 has not arrived')).toBeLessThan(text.indexOf('we are checking'));
    expect(text.indexOf('we are checking')).toBeLessThan(text.indexOf('Still nothing!'));
    const lines = text.split('\n');
    expect(lines.filter((line) => line.includes('<- ANSWER THIS') && line.startsWith('['))).toEqual([
      expect.stringMatching(/^\[3\] Customer .*<- ANSWER THIS$/),
    ]);
    expect(text).toContain('Write our reply to the customer message marked "<- ANSWER THIS".');
  });

  it('leaves out the history a customer quoted', () => {
    const text = builder.build(input()).messages[1]!.content;
    expect(text).not.toContain('On Wed, ACME Support wrote:');
    expect(text.match(/we are checking/g)).toHaveLength(1);
  });

  it('marks every message a joint reply answers and asks for one email', () => {
    const conversation = [...input().conversation, entry({ messageId: 'm4', subject: 'Re: Order 4711 missing', text: 'Also, the invoice is wrong.' })];
    const prompt = builder.build(input({ conversation, answeringMessageIds: ['m3', 'm4'] }));
    const marked = prompt.messages[1]!.content.split('\n').filter((line) => line.startsWith('[') && line.endsWith('<- ANSWER THIS'));
    expect(marked.map((line) => line.slice(0, 3))).toEqual(['[3]', '[4]']);
    expect(prompt.messages[1]!.content).toContain('answers the 2 customer messages');
    expect(prompt.facts.answeredCount).toBe(2);
    expect(prompt.facts.latestCustomerText).toBe('Also, the invoice is wrong.');
  });

  it('gives the facts a placeholder reply needs', () => {
    expect(builder.build(input()).facts).toEqual({
      ticketSubject: 'Order 4711 missing',
      customerName: 'Jane Doe',
      latestCustomerText: 'Still nothing!',
      answeredCount: 1,
      senderName: 'ACME Support',
    });
  });

  it('has no customer name when the mail carried only an address', () => {
    const conversation = [entry({ messageId: 'x1', from: { address: 'bob@example.com', name: 'bob@example.com' }, text: 'Help' })];
    const prompt = builder.build(input({ conversation, answeringMessageIds: ['x1'] }));
    expect(prompt.facts.customerName).toBeNull();
    expect(prompt.messages[1]!.content).toContain('[1] Customer (bob@example.com <bob@example.com>)');
  });

  it('keeps a long conversation bounded but always includes what it answers', () => {
    const conversation = Array.from({ length: MAX_PROMPT_MESSAGES + 10 }, (_, i) => entry({ messageId: `n${i}`, text: `message number ${i}` }));
    const prompt = builder.build(input({ conversation, answeringMessageIds: ['n0', `n${MAX_PROMPT_MESSAGES + 9}`] }));
    const text = prompt.messages[1]!.content;
    expect(text).toContain('(9 earlier messages left out.)');
    expect(text).toContain('message number 0\n');
    expect(text).not.toContain('message number 1\n');
    expect(text).toContain(`message number ${MAX_PROMPT_MESSAGES + 9}`);
  });

  it('shows the new part of customer messages as extracted on receipt, not the text around it', () => {
    const conversation = [
      entry({ messageId: 'q1', text: 'Quoted earlier words without any marker\nPlease cancel order 12.', newText: 'Please cancel order 12.' }),
      entry({ messageId: 'q2', direction: 'outbound', author: 'ai', text: 'Our full reply\n> with a quote we wrote', newText: 'Our full reply' }),
    ];
    const prompt = builder.build(input({ conversation, answeringMessageIds: ['q1'] }));
    const text = prompt.messages[1]!.content;
    expect(text).toContain('Please cancel order 12.');
    expect(text).not.toContain('Quoted earlier words');
    // Our own messages are shown as written.
    expect(text).toContain('> with a quote we wrote');
    expect(prompt.facts.latestCustomerText).toBe('Please cancel order 12.');
  });

  it('cuts the quoted history itself for messages recorded without a new part, or with a blank one', () => {
    for (const newText of [null, undefined, '  ']) {
      const conversation = [entry({ messageId: 'o1', text: 'Still broken.\n\nOn Mon, Support wrote:\n> Try again', newText })];
      const prompt = builder.build(input({ conversation, answeringMessageIds: ['o1'] }));
      expect(prompt.facts.latestCustomerText).toBe('Still broken.');
      expect(prompt.messages[1]!.content).not.toContain('Try again');
    }
  });
});
