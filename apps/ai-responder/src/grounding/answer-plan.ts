import type { JudgedPassage } from './grounding.js';

/** One question of the customer's mail with the knowledge base's best passages for it, best first. */
export interface QuestionMatches {
  question: string;
  /** What the question asks about (askedAbout) when the knowledge base never uses that word, else null. */
  unknownAction: string | null;
  passages: JudgedPassage[];
}

export interface AnswerThresholds {
  /**
   * Share of a question's significant words a passage must contain to answer it (RetrievedPassage.coverage): below
   * it the passage is about something else, or only touches the question. AI_ANSWER_MIN_CONFIDENCE.
   */
  minCoverage: number;
  /** And at least this many of them: "pay" alone matching a payment article is no answer to "pay in Bitcoin?". */
  minMatched: number;
  /**
   * For a question too vague to name its topic: the share of the passage's heading the mail must name
   * (JudgedPassage.topicCoverage).
   */
  minTopicCoverage: number;
}

export const DEFAULT_ANSWER_THRESHOLDS: AnswerThresholds = { minCoverage: 0.6, minMatched: 2, minTopicCoverage: 0.75 };

export interface PlannedAnswer {
  question: string;
  passage: JudgedPassage;
}

export type AnswerPlan = { action: 'reply'; answers: PlannedAnswer[] } | { action: 'handoff'; reason: string };

/**
 * Whether the offline responder can answer from the knowledge base, and with which passages: only when every
 * question has a passage it is confident in. Half an answer would mark the ticket answered and leave a question
 * unanswered with nobody told, so a mail with one question the knowledge base cannot answer goes to a human whole.
 */
export function planAnswer(input: { questions: QuestionMatches[]; escalation: string | null }, thresholds: AnswerThresholds): AnswerPlan {
  if (input.escalation) return { action: 'handoff', reason: input.escalation };
  if (input.questions.length === 0) return { action: 'handoff', reason: 'the mail asks nothing the knowledge base could answer' };
  const answers: PlannedAnswer[] = [];
  for (const [index, { question, unknownAction, passages }] of input.questions.entries()) {
    const which = input.questions.length === 1 ? 'the question' : `question ${index + 1} of ${input.questions.length}`;
    if (unknownAction) return { action: 'handoff', reason: `the knowledge base says nothing about "${unknownAction}" (${which})` };
    const best = passages.find((passage) => confident(passage, thresholds));
    if (!best) return { action: 'handoff', reason: `the knowledge base has no confident answer to ${which}` };
    // Two questions answered by one passage: it is said once.
    if (!answers.some((answer) => samePassage(answer.passage, best))) answers.push({ question, passage: best });
  }
  return { action: 'reply', answers };
}

/**
 * Confident: the passage holds enough of the question's telling words, and at least one of them is what its article
 * or section is about (its title or heading). A passage that only mentions the words in passing ("drop the parcel at
 * a DHL parcel shop") is not an answer to a question about them ("can I pay in your shop?").
 */
function confident(passage: JudgedPassage, thresholds: AnswerThresholds): boolean {
  // A vague question's section must be named twice over: "Where we ship from" is not what every mail that says
  // "delivered" is about.
  const onTopic =
    passage.topicCoverage === null || (passage.topicCoverage >= thresholds.minTopicCoverage && passage.matchedInHeadings.length >= thresholds.minMatched);
  return onTopic && passage.holdsAskedAbout && passage.coverage >= thresholds.minCoverage && passage.matched.length >= thresholds.minMatched && passage.matchedInHeadings.length > 0;
}

function samePassage(a: JudgedPassage, b: JudgedPassage): boolean {
  return a.articleId === b.articleId && a.text === b.text;
}
