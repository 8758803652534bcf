import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_THRESHOLDS, planAnswer } from './answer-plan.js';
import { passage } from './grounding-fixtures.js';

const thresholds = DEFAULT_ANSWER_THRESHOLDS;

describe('planAnswer', () => {
  it('answers a question with the first passage it is confident in', () => {
    const weak = passage({ articleId: 'shipping', coverage: 0.3 });
    const strong = passage();
    expect(planAnswer({ questions: [{ question: 'q', passages: [weak, strong] }], escalation: null }, thresholds)).toEqual({
      action: 'reply',
      answers: [{ question: 'q', passage: strong }],
    });
  });

  it('hands over when one question of several has no confident passage', () => {
    const plan = planAnswer(
      { questions: [{ question: 'a', passages: [passage()] }, { question: 'b', passages: [passage({ coverage: 0.4 })] }], escalation: null },
      thresholds,
    );
    expect(plan).toEqual({ action: 'handoff', reason: 'the knowledge base has no confident answer to question 2 of 2' });
  });

  it('does not trust a single matching word, however large its share', () => {
    const plan = planAnswer({ questions: [{ question: 'pay in bitcoin?', passages: [passage({ coverage: 1, matched: ['pay'] })] }], escalation: null }, thresholds);
    expect(plan.action).toBe('handoff');
  });

  it('does not answer from a passage that names the words only in passing, not in its title or heading', () => {
    const inPassing = passage({ articleId: 'returns', coverage: 1, matched: ['pay', 'shop'], matchedInHeadings: [] });
    expect(planAnswer({ questions: [{ question: 'Can I pay in your shop?', passages: [inPassing] }], escalation: null }, thresholds).action).toBe('handoff');
  });

  it('hands over an escalation whatever the knowledge base has', () => {
    expect(planAnswer({ questions: [{ question: 'q', passages: [passage()] }], escalation: 'the customer asks for a person' }, thresholds)).toEqual({
      action: 'handoff',
      reason: 'the customer asks for a person',
    });
  });

  it('hands over a mail without questions, and one the knowledge base has nothing for', () => {
    expect(planAnswer({ questions: [], escalation: null }, thresholds).action).toBe('handoff');
    expect(planAnswer({ questions: [{ question: 'q', passages: [] }], escalation: null }, thresholds)).toEqual({
      action: 'handoff',
      reason: 'the knowledge base has no confident answer to the question',
    });
  });

  it('says a passage that answers two questions once', () => {
    const same = passage();
    const plan = planAnswer({ questions: [{ question: 'a', passages: [same] }, { question: 'b', passages: [same] }], escalation: null }, thresholds);
    expect(plan.action === 'reply' && plan.answers).toHaveLength(1);
  });

  it('follows a configured threshold', () => {
    const input = { questions: [{ question: 'q', passages: [passage({ coverage: 0.5 })] }], escalation: null };
    expect(planAnswer(input, thresholds).action).toBe('handoff');
    expect(planAnswer(input, { ...thresholds, minCoverage: 0.5 }).action).toBe('reply');
  });
});
