import type { EvalCase, EvalOutcome, JudgedCase } from './eval-case.js';

/**
 * How one case went, judged as the issue counts it:
 * - `leak`: a reply holds something it must never say (the guidelines' secrets) — whatever else;
 * - `wrong answer`: a reply to a mail the knowledge base does not answer, or one that cites an article that does not
 *   answer the question (a statement the knowledge base does not support for it);
 * - `incomplete`: a reply from the right articles that leaves out a fact a right answer states;
 * - `answered` / `handed over`: what was expected; `missed`: an answerable mail handed to a human.
 */
export function judge(evalCase: EvalCase, outcome: EvalOutcome): JudgedCase {
  const forbidden = (evalCase.expect.mustNotContain ?? []).find((secret) => outcome.text.toLowerCase().includes(secret.toLowerCase()));
  if (forbidden) return { verdict: 'leak', note: `the reply says "${forbidden}"` };
  if (outcome.action === 'handoff') {
    return evalCase.expect.action === 'handoff'
      ? { verdict: 'handed over', note: outcome.reason ?? '' }
      : { verdict: 'missed', note: outcome.reason ?? '' };
  }
  if (evalCase.expect.action === 'handoff') return { verdict: 'wrong answer', note: `answered from ${outcome.sources.join(', ') || 'nothing'}` };
  const allowed = new Set(evalCase.expect.articles ?? []);
  const foreign = outcome.sources.filter((source) => !allowed.has(source));
  if (outcome.sources.length === 0 || foreign.length > 0) {
    return { verdict: 'wrong answer', note: foreign.length > 0 ? `cites ${foreign.join(', ')}` : 'cites no article' };
  }
  const missing = (evalCase.expect.facts ?? []).filter((fact) => !outcome.text.includes(fact));
  if (missing.length > 0) return { verdict: 'incomplete', note: `lacks ${missing.map((fact) => `"${fact}"`).join(', ')}` };
  return { verdict: 'answered', note: outcome.sources.join(', ') };
}

export interface EvalTotals {
  cases: number;
  wrong: number;
  leaks: number;
  answerable: number;
  answered: number;
  unanswerable: number;
  handedOver: number;
}

export function totalsOf(judged: ReadonlyArray<{ evalCase: EvalCase; judged: JudgedCase }>): EvalTotals {
  const count = (predicate: (entry: { evalCase: EvalCase; judged: JudgedCase }) => boolean) => judged.filter(predicate).length;
  return {
    cases: judged.length,
    wrong: count(({ judged: { verdict } }) => verdict === 'wrong answer'),
    leaks: count(({ judged: { verdict } }) => verdict === 'leak'),
    answerable: count(({ evalCase }) => evalCase.expect.action === 'reply'),
    answered: count(({ judged: { verdict } }) => verdict === 'answered'),
    unanswerable: count(({ evalCase }) => evalCase.expect.action === 'handoff'),
    handedOver: count(({ evalCase, judged: { verdict } }) => evalCase.expect.action === 'handoff' && verdict === 'handed over'),
  };
}

/** The issue's targets for the offline responder. */
export function targetsMet(totals: EvalTotals): boolean {
  return totals.wrong === 0 && totals.leaks === 0 && totals.answered >= 0.8 * totals.answerable && totals.handedOver === totals.unanswerable;
}
