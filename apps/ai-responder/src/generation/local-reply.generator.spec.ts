import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_THRESHOLDS } from '../grounding/answer-plan.js';
import { passage } from '../grounding/grounding-fixtures.js';
import type { Grounding } from '../grounding/grounding.js';
import { composeAcknowledgement, greetingName, LocalReplyGenerator } from './local-reply.generator.js';
import { PromptBuilder } from './prompt-builder.js';
import type { ReplyFacts, ReplyPrompt } from './reply-prompt.js';

const facts: ReplyFacts = {
  customerName: 'Jane Doe',
  answeredCount: 1,
  senderName: 'ACME Support',
};
const guard = { nonce: '0123456789abcdef01234567', instructions: '', communicationStyle: '', guidelines: '' };
const grounded = (questions: Grounding['questions'], escalation: string | null = null): ReplyPrompt => ({
  messages: [],
  facts,
  guard,
  grounding: { language: 'en', questions, escalation, passages: questions.flatMap((question) => question.passages), knowledgeBase: true },
});

describe('LocalReplyGenerator', () => {
  it('answers from the passage it is confident in, greeting by name and citing the article', async () => {
    const reply = await new LocalReplyGenerator().generate(grounded([{ question: 'How long can I return?', unknownAction: null, passages: [passage()] }]));
    expect(reply.action).toBe('reply');
    expect(reply.sources).toEqual(['returns']);
    expect(reply.text).toMatch(/^Hello Jane,\n/u);
    expect(reply.text).toContain('You can return any item within 30 days of delivery.');
    expect(reply.text).toMatch(/Kind regards,\nACME Support$/u);
  });

  it('hands over, sending nothing, when the knowledge base has no confident answer', async () => {
    const reply = await new LocalReplyGenerator().generate(grounded([{ question: 'Can I pay in Bitcoin?', unknownAction: null, passages: [passage({ coverage: 0.3 })] }]));
    expect(reply).toEqual({ action: 'handoff', text: '', sources: [], reason: 'the knowledge base has no confident answer to the question' });
  });

  it('hands over an escalation', async () => {
    const reply = await new LocalReplyGenerator().generate(grounded([{ question: 'q', unknownAction: null, passages: [passage()] }], 'the customer asks for a person'));
    expect(reply.action).toBe('handoff');
  });

  it('answers at a lower configured threshold what the default hands over', async () => {
    const prompt = grounded([{ question: 'q', unknownAction: null, passages: [passage({ coverage: 0.5 })] }]);
    expect((await new LocalReplyGenerator().generate(prompt)).action).toBe('handoff');
    expect((await new LocalReplyGenerator({ ...DEFAULT_ANSWER_THRESHOLDS, minCoverage: 0.5 }).generate(prompt)).action).toBe('reply');
  });

  it('acknowledges, as before, for a project without a knowledge base', async () => {
    const reply = await new LocalReplyGenerator().generate({ messages: [], facts, guard, grounding: { ...grounded([]).grounding, knowledgeBase: false } });
    expect(reply).toEqual({ action: 'reply', text: composeAcknowledgement(facts), sources: [], reason: null });
    expect(reply.text).toMatch(/^Hello Jane,\n\nThank you for your message\. We have received your request/u);
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
      grounding: { language: 'en', questions: [{ question: 'Claim your prize now', unknownAction: null, passages: [passage()] }], escalation: null, passages: [passage()], knowledgeBase: true },
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
