import { describe, expect, it } from 'vitest';
import { readStructuredReply } from './structured-reply.js';

const known = new Set(['returns', 'shipping']);

describe('readStructuredReply', () => {
  it('reads a reply with its sources, keeping only articles the prompt gave', () => {
    const content = JSON.stringify({ action: 'reply', reply: 'Hello Jane, …', sources: ['returns', 'made-up', 'returns'], reason: '' });
    expect(readStructuredReply(content, known)).toEqual({ action: 'reply', text: 'Hello Jane, …', sources: ['returns'], reason: null });
  });

  it('reads a handoff, also inside a json fence', () => {
    const content = '```json\n{"action":"handoff","reply":"","sources":[],"reason":"Asks about one specific order."}\n```';
    expect(readStructuredReply(content, known)).toEqual({ action: 'handoff', text: '', sources: [], reason: 'Asks about one specific order.' });
  });

  it('takes plain text as the reply, without sources (endpoints without structured output)', () => {
    expect(readStructuredReply('Hello Jane,\n\nReturns are free.', known)).toEqual({ action: 'reply', text: 'Hello Jane,\n\nReturns are free.', sources: [], reason: null });
  });

  it('refuses JSON that is neither a reply nor a handoff', () => {
    expect(() => readStructuredReply('{"action":"reply","reply":""}', known)).toThrow(/without an action and a reply/u);
  });
});
