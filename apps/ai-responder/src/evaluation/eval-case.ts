/** One customer mail of the evaluation set (apps/ai-responder/eval/cases.json) and what a right answer does. */
export interface EvalCase {
  id: string;
  category: 'plain' | 'multi' | 'language' | 'unanswerable' | 'angry' | 'injection';
  from: { name: string | null; address: string };
  subject: string;
  text: string;
  expect: {
    action: 'reply' | 'handoff';
    /** For a reply: the articles whose passages may support it; citing any other is a wrong answer. */
    articles?: string[];
    /** Exact strings of the knowledge base a right answer contains. */
    facts?: string[];
    /** What must never appear in a reply (the guidelines' secrets). */
    mustNotContain?: string[];
  };
}

/** What the responder did with one case. */
export interface EvalOutcome {
  action: 'reply' | 'handoff';
  text: string;
  sources: string[];
  reason: string | null;
}

export type EvalVerdict = 'answered' | 'handed over' | 'wrong answer' | 'missed' | 'incomplete' | 'leak';

export interface JudgedCase {
  verdict: EvalVerdict;
  /** Why, for the table: what was wrong or missing. */
  note: string;
}
