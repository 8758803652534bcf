import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_THRESHOLDS, planAnswer } from './answer-plan.js';
import { passage } from './grounding-fixtures.js';

const thresholds = DEFAULT_ANSWER_THRESHOLDS;

describe('planAnswer', () => {
  it('answers a question with the first passage it is confident in', () => {
    const weak = passage({ articleId: 'shipping', coverage: 0.3 });
    const strong = passage();
    expect(planAnswer({ questions: [{ question: 'q', unknownAction: null, passages: [weak, strong] }], escalation: null }, thresholds)).toEqual({
      action: 'reply',
      answers: [{ question: 'q', passage: strong }],
    });
  });

  it('hands over when one question of several has no confident passage', () => {
    const plan = planAnswer(
      { questions: [{ question: 'a', unknownAction: null, passages: [passage()] }, { question: 'b', unknownAction: null, passages: [passage({ coverage: 0.4 })] }], escalation: null },
      thresholds,
    );
    expect(plan).toEqual({ action: 'handoff', reason: 'the knowledge base has no confident answer to question 2 of 2' });
  });

  it('does not trust a single matching word, however large its share', () => {
    const plan = planAnswer({ questions: [{ question: 'pay in bitcoin?', unknownAction: null, passages: [passage({ coverage: 1, matched: ['pay'] })] }], escalation: null }, thresholds);
    expect(plan.action).toBe('handoff');
  });

  it('does not answer from a passage that names the words only in passing, not in its title or heading', () => {
    const inPassing = passage({ articleId: 'returns', coverage: 1, matched: ['pay', 'shop'], matchedInHeadings: [] });
    expect(planAnswer({ questions: [{ question: 'Can I pay in your shop?', unknownAction: null, passages: [inPassing] }], escalation: null }, thresholds).action).toBe('handoff');
  });

  it('hands over an escalation whatever the knowledge base has', () => {
    expect(planAnswer({ questions: [{ question: 'q', unknownAction: null, passages: [passage()] }], escalation: 'the customer asks for a person' }, thresholds)).toEqual({
      action: 'handoff',
      reason: 'the customer asks for a person',
    });
  });

  it('hands over a mail without questions, and one the knowledge base has nothing for', () => {
    expect(planAnswer({ questions: [], escalation: null }, thresholds).action).toBe('handoff');
    expect(planAnswer({ questions: [{ question: 'q', unknownAction: null, passages: [] }], escalation: null }, thresholds)).toEqual({
      action: 'handoff',
      reason: 'the knowledge base has no confident answer to the question',
    });
  });

  it('says a passage that answers two questions once', () => {
    const same = passage();
    const plan = planAnswer({ questions: [{ question: 'a', unknownAction: null, passages: [same] }, { question: 'b', unknownAction: null, passages: [same] }], escalation: null }, thresholds);
    expect(plan.action === 'reply' && plan.answers).toHaveLength(1);
  });

  it('follows a configured threshold', () => {
    const input = { questions: [{ question: 'q', unknownAction: null, passages: [passage({ coverage: 0.5 })] }], escalation: null };
    expect(planAnswer(input, thresholds).action).toBe('handoff');
    expect(planAnswer(input, { ...thresholds, minCoverage: 0.5 }).action).toBe('reply');
  });

  it('answers a vague question only from a section whose heading the mail names', () => {
    // "Old gift card" … "Is it still valid?": the heading "How long gift cards are valid" is what the mail is about.
    const named = passage({ articleId: 'gift-cards', coverage: 1, matched: ['gift', 'card', 'valid'], matchedInHeadings: ['gift', 'valid'], topicCoverage: 0.9 });
    // "Where we ship from" is all named by any mail that says "delivered", and so says nothing.
    const namedOnce = passage({ articleId: 'shipping', coverage: 1, matched: ['order', 'ship'], matchedInHeadings: ['ship'], topicCoverage: 1 });
    expect(planAnswer({ questions: [{ question: 'How do I get the right one?', unknownAction: null, passages: [namedOnce] }], escalation: null }, thresholds).action).toBe('handoff');
    const elsewhere = passage({ articleId: 'account', coverage: 1, matched: ['account', 'lock'], matchedInHeadings: ['account'], topicCoverage: 0.5 });
    expect(planAnswer({ questions: [{ question: 'Is it still valid?', unknownAction: null, passages: [named] }], escalation: null }, thresholds).action).toBe('reply');
    expect(planAnswer({ questions: [{ question: 'How long does that last?', unknownAction: null, passages: [elsewhere] }], escalation: null }, thresholds)).toEqual({
      action: 'handoff',
      reason: 'the knowledge base has no confident answer to the question',
    });
  });

  it('does not answer from a passage that lacks what the question asks about', () => {
    // "do you offer installation for the Fjord pendant lamp?" and a passage about the lamp's bulbs.
    const aboutTheLamp = passage({ articleId: 'lamp-bulbs', coverage: 0.7, matched: ['fjord', 'pendant', 'lamp'], holdsAskedAbout: false });
    expect(planAnswer({ questions: [{ question: 'q', unknownAction: null, passages: [aboutTheLamp] }], escalation: null }, thresholds).action).toBe('handoff');
  });

  it('hands over a question about something the knowledge base never mentions, naming it', () => {
    const plan = planAnswer({ questions: [{ question: 'Can I pay in Bitcoin?', unknownAction: 'Bitcoin', passages: [passage()] }], escalation: null }, thresholds);
    expect(plan).toEqual({ action: 'handoff', reason: 'the knowledge base says nothing about "Bitcoin" (the question)' });
  });
});
