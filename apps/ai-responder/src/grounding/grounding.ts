import type { RetrievedPassage } from '../knowledge/knowledge-retriever.js';
import type { QuestionMatches } from './answer-plan.js';

/** A retrieved passage as judged for one question of a mail (GroundingService). */
export interface JudgedPassage extends RetrievedPassage {
  /**
   * For a question too vague to name its topic ("Is it still valid?"): the share (0..1) of the weight of the
   * passage's section heading (its article's title when it has none) that the mail names (its subject, what it
   * told, the question). Null for a question that names its topic.
   */
  topicCoverage: number | null;
  /** Whether it holds what the question asks about (askedAbout: "do you offer installation?"), or the question names no such thing. */
  holdsAskedAbout: boolean;
}

/** What the knowledge base offers for one mail: looked up per question, in the mail's language. */
export interface Grounding {
  /** The mail's language among the knowledge base's (ISO 639-1); the reply is written in it. */
  language: string;
  questions: QuestionMatches[];
  /** Why the mail needs a person whatever the knowledge base says (escalationOf), or null. */
  escalation: string | null;
  /** The passages a model sees: the best few of every question, each once, best first. */
  passages: RetrievedPassage[];
  /**
   * Whether the project has a knowledge base at all. Without one, replies are written as before there was any (the
   * offline acknowledgement; a model from the conversation, style and guidelines alone).
   */
  knowledgeBase: boolean;
}

export const NO_GROUNDING: Grounding = { language: 'en', questions: [], escalation: null, passages: [], knowledgeBase: false };
