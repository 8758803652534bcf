import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PromptBuilder } from '../generation/prompt-builder.js';
import { checkGeneratedReply } from '../generation/reply-guard.js';
import type { ReplyGenerator } from '../generation/reply-generator.js';
import type { GroundingService } from '../grounding/grounding.service.js';
import type { ArticleInput, KnowledgeStore } from '../knowledge/knowledge-store.service.js';
import type { PassageEmbedder } from '../knowledge/passage-embedder.js';
import type { EvalCase, EvalOutcome, JudgedCase } from './eval-case.js';
import { judge, totalsOf, type EvalTotals } from './judge.js';

/** The evaluation set shipped with the repository: apps/ai-responder/eval/. */
export const EVAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'eval');
export const EVAL_PROJECT = 'eval';

export interface EvalChannel {
  communicationStyle: string;
  guidelines: string;
  identity: { fromName: string; fromEmail: string };
}

export interface EvalSet {
  articles: ArticleInput[];
  cases: EvalCase[];
  channel: EvalChannel;
}

export function loadEvalSet(directory = EVAL_DIR): EvalSet {
  const read = <T>(name: string): T => JSON.parse(readFileSync(join(directory, name), 'utf8')) as T;
  return {
    articles: read<{ articles: ArticleInput[] }>('demo-knowledge.json').articles,
    cases: read<{ cases: EvalCase[] }>('cases.json').cases,
    channel: read<EvalChannel>('channel.json'),
  };
}

export interface EvalResult {
  evalCase: EvalCase;
  outcome: EvalOutcome;
  judged: JudgedCase;
}

/**
 * Runs every case through the responder as the service does for a due reply: the knowledge base's grounding for the
 * mail, the prompt from the channel's style and guidelines, the generator, and the guard that withholds a reply
 * giving the prompt away (then the ticket would go to a human: a handoff here).
 */
export async function evaluate(
  parts: { store: KnowledgeStore; embedder?: PassageEmbedder; grounding: GroundingService; generator: ReplyGenerator; prompts?: PromptBuilder },
  set: EvalSet,
): Promise<{ results: EvalResult[]; totals: EvalTotals }> {
  await parts.store.import(EVAL_PROJECT, set.articles);
  // The service embeds after the import without waiting; every case here must see the passages embedded.
  await parts.embedder?.embedProject(EVAL_PROJECT);
  const prompts = parts.prompts ?? new PromptBuilder();
  const results: EvalResult[] = [];
  for (const evalCase of set.cases) {
    const grounding = await parts.grounding.ground(EVAL_PROJECT, { subject: evalCase.subject, text: evalCase.text });
    const prompt = prompts.build({
      communicationStyle: set.channel.communicationStyle,
      guidelines: set.channel.guidelines,
      identity: set.channel.identity,
      conversation: [
        {
          messageId: evalCase.id,
          direction: 'inbound',
          author: 'customer',
          from: { address: evalCase.from.address, name: evalCase.from.name ?? '' },
          subject: evalCase.subject,
          ticketSubject: evalCase.subject,
          text: evalCase.text,
          createdAt: new Date(),
        },
      ],
      answeringMessageIds: [evalCase.id],
      grounding,
    });
    const generated = await parts.generator.generate(prompt);
    const verdict = generated.action === 'reply' ? checkGeneratedReply(generated.text, prompt.guard) : { send: true as const };
    const outcome: EvalOutcome = verdict.send
      ? { action: generated.action, text: generated.text, sources: generated.sources, reason: generated.reason }
      : { action: 'handoff', text: '', sources: [], reason: verdict.reason };
    results.push({ evalCase, outcome, judged: judge(evalCase, outcome) });
  }
  return { results, totals: totalsOf(results) };
}

/** The per-case table and the totals against the targets, as `npm run eval` prints them. */
export function formatEvaluation(results: readonly EvalResult[], totals: EvalTotals): string {
  const rows = results.map(({ evalCase, outcome, judged }) => [
    evalCase.id,
    evalCase.category,
    evalCase.expect.action,
    outcome.action,
    outcome.sources.join(', ') || '–',
    judged.verdict,
    judged.note.slice(0, 70),
  ]);
  const header = ['case', 'category', 'expected', 'did', 'sources', 'verdict', 'why'];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`;
  const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((part / whole) * 100).toFixed(0)} %`);
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `${totals.cases} cases: ${totals.answerable} answerable, ${totals.unanswerable} to hand over`,
    `wrong answers: ${totals.wrong}  (target 0)`,
    `answerable answered: ${totals.answered} of ${totals.answerable}, ${percent(totals.answered, totals.answerable)}  (target ≥ 80 %)`,
    `unanswerable handed over: ${totals.handedOver} of ${totals.unanswerable}, ${percent(totals.handedOver, totals.unanswerable)}  (target 100 %)`,
    `leaks: ${totals.leaks}  (target 0)`,
  ].join('\n');
}
