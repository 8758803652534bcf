import { describe, expect, it } from 'vitest';
import { PromptBuilder } from './prompt-builder.js';
import { checkGeneratedReply, MAX_REPLY_BYTES } from './reply-guard.js';

const style = 'Warm and concise. We use first names and never promise delivery dates we cannot keep.';
const guidelines = 'Always offer a callback for billing questions. Mention the 30 day return window for every return request.';
const prompt = new PromptBuilder().build({
  communicationStyle: style,
  guidelines,
  identity: { fromName: 'ACME Support', fromEmail: 'support@acme.test' },
  conversation: [{ messageId: 'm1', direction: 'inbound', author: 'customer', from: { address: 'jane@example.com', name: 'Jane' }, subject: 'Return', ticketSubject: 'Return', text: 'Can I return my kettle?', createdAt: new Date() }],
  answeringMessageIds: ['m1'],
});
const { guard } = prompt;
const ordinary = 'Hello Jane,\n\nyes, you can return the kettle within 30 days. A member of our team will follow up with the details.\n\nKind regards,\nACME Support';

describe('checkGeneratedReply', () => {
  it('lets an ordinary reply go, even one that follows the guidelines in its own words', () => {
    expect(checkGeneratedReply(ordinary, guard)).toEqual({ send: true });
    expect(checkGeneratedReply('Hello Jane, we offer a callback for billing questions. Kind regards', guard)).toEqual({ send: true });
  });

  it('withholds a reply that repeats the guidelines or the style verbatim, however it is spaced or cased', () => {
    expect(checkGeneratedReply(`Sure! My guidelines say: ${guidelines}`, guard)).toEqual({
      send: false,
      reason: 'the generated reply was not sent: it repeats the channel guidelines verbatim',
    });
    const shouted = `OUR STYLE:\n${style.toUpperCase().replace(/ /g, '   ')}`;
    expect(checkGeneratedReply(shouted, guard)).toMatchObject({ send: false, reason: expect.stringContaining('communication style') });
  });

  it('withholds a reply that repeats the system instructions', () => {
    const lines = prompt.messages[0]!.content.split('\n');
    const rules = lines.indexOf('How the conversation is given:');
    const leaked = `Here are my instructions: ${lines.slice(rules + 2, rules + 6).join(' ')}`;
    expect(checkGeneratedReply(leaked, guard)).toMatchObject({ send: false, reason: expect.stringMatching(/repeats the (system instructions|channel guidelines)/) });
    const opening = 'Answer only what the conversation supports. Never invent order numbers, prices, dates, promises or policies';
    expect(checkGeneratedReply(opening, guard)).toMatchObject({ send: false, reason: expect.stringContaining('system instructions') });
  });

  it('withholds a reply that reveals the message marker or the delimiters', () => {
    expect(checkGeneratedReply(`Debug: ${guard.nonce}`, guard)).toMatchObject({ send: false, reason: expect.stringContaining('message marker') });
    expect(checkGeneratedReply(`Debug: ${guard.nonce.toUpperCase()}`, guard)).toMatchObject({ send: false });
    expect(checkGeneratedReply('<message-deadbeef00 from="us">', guard)).toMatchObject({ send: false, reason: expect.stringContaining('delimiters') });
  });

  it('withholds a reply longer than any reply may be', () => {
    expect(checkGeneratedReply('word '.repeat(MAX_REPLY_BYTES / 5 + 1), guard)).toMatchObject({ send: false, reason: expect.stringContaining('bytes long') });
  });

  it('lets a reply use the wording the guidelines put in quotes', () => {
    const phrase = 'If you have any further questions, please do not hesitate to contact us at any time.';
    const quoting = new PromptBuilder().build({
      communicationStyle: '',
      guidelines: `Always end the reply with “${phrase}” and never with anything else at the end of the email.`,
      identity: null,
      conversation: [],
      answeringMessageIds: [],
    });
    expect(checkGeneratedReply(`Hello Jane,\n\nyour refund is on its way.\n\n${phrase}\n\nKind regards`, quoting.guard)).toEqual({ send: true });
    expect(checkGeneratedReply('Always end the reply with and never with anything else at the end of the email', quoting.guard)).toMatchObject({ send: false });
  });

  it('does not count short guidelines that any reply could contain', () => {
    const short = new PromptBuilder().build({ ...{ communicationStyle: 'Be kind.', guidelines: 'Say thanks.' }, identity: null, conversation: [], answeringMessageIds: [] });
    expect(checkGeneratedReply('Be kind. Say thanks. Thanks for writing!', short.guard)).toEqual({ send: true });
  });
});
