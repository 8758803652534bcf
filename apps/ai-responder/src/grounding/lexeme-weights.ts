import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KnowledgePassage } from '../knowledge/knowledge-passage.entity.js';
import { quotedTable } from '@ensoras/persistence';
import { isFramingWord } from './question-words.js';

/** A question's words in one text search configuration, each with how much it says about the question. */
export interface WeightedLexemes {
  config: string;
  /** lexeme → weight: rare in the knowledge base weighs more; unknown to it, the most (a topic it lacks). */
  weights: Map<string, number>;
  /** Those of its words the knowledge base never uses. */
  unknown: ReadonlySet<string>;
}

/**
 * How telling each word of a question is, from the project's knowledge base (inverse document frequency over its
 * passages, ts_stat): "warranty" in a shop's knowledge base says more than "order". A word the knowledge base never
 * uses weighs as much as its rarest: a question about Bitcoin is not answered by a passage about paying. Words that
 * only frame a question are left out.
 */
@Injectable()
export class LexemeWeights {
  constructor(private readonly dataSource: DataSource) {}

  async of(projectId: string, text: string, config: string): Promise<WeightedLexemes> {
    return (await this.ofMany(projectId, [text], config))[0]!;
  }

  /** The words of each text, weighed with one pass over the knowledge base's statistics. */
  async ofMany(projectId: string, texts: readonly string[], config: string): Promise<WeightedLexemes[]> {
    if (texts.length === 0) return [];
    const table = quotedTable(this.dataSource, KnowledgePassage);
    const rows = await this.dataSource.query<Array<{ n: number | string; lexeme: string; ndoc: number | string; total: number | string }>>(
      `WITH input AS (SELECT t.text, t.n FROM unnest($3::text[]) WITH ORDINALITY AS t(text, n)),
        asked AS (
          SELECT DISTINCT input.n, word.lexeme
            FROM input, unnest(to_tsvector($2::text::regconfig, input.text)) AS word(lexeme, positions, weights)),
        stats AS (
          SELECT word, ndoc FROM ts_stat(format('SELECT search_vector FROM ${table} WHERE project_id = %L AND search_config = %L', $1::text, $2::text))
           WHERE word IN (SELECT lexeme FROM asked))
        SELECT asked.n, asked.lexeme, coalesce(stats.ndoc, 0) AS ndoc,
               (SELECT count(*) FROM ${table} WHERE project_id = $1 AND search_config = $2::text) AS total
          FROM asked LEFT JOIN stats ON stats.word = asked.lexeme`,
      [projectId, config, texts.map((text) => text.slice(0, 4_000).replace(/\u0000/g, ' '))],
    );
    const total = Math.max(1, Number(rows[0]?.total ?? 1));
    const weighed = texts.map(() => ({ config, weights: new Map<string, number>(), unknown: new Set<string>() }));
    for (const row of rows) {
      if (isFramingWord(config, row.lexeme)) continue;
      const entry = weighed[Number(row.n) - 1]!;
      const documents = Number(row.ndoc);
      if (documents === 0) entry.unknown.add(row.lexeme);
      // Unknown to the knowledge base: as telling as a word in a single passage.
      entry.weights.set(row.lexeme, Math.log((total + 1) / (Math.max(documents, 1) + 0.5)));
    }
    return weighed;
  }
}

/**
 * Share of a question's weight that a passage's matched words carry: 1 when it holds every telling word. Words of one
 * group (SupportVocabulary) are one concept, weighed as its most telling word the question holds, and held when the
 * passage holds any word of the group.
 */
export function weightedCoverage(question: Pick<WeightedLexemes, 'weights'>, matched: readonly string[], groups: ReadonlyArray<ReadonlySet<string>> = []): number {
  const present = new Set(matched);
  const concepts = new Map<string | number, { weight: number; found: boolean }>();
  for (const [lexeme, weight] of question.weights) {
    const group = groups.findIndex((members) => members.has(lexeme));
    const key = group >= 0 ? group : lexeme;
    const found = isHeld(lexeme, present, groups);
    const concept = concepts.get(key);
    concepts.set(key, { weight: Math.max(concept?.weight ?? 0, weight), found: found || (concept?.found ?? false) });
  }
  let asked = 0;
  let found = 0;
  for (const concept of concepts.values()) {
    asked += concept.weight;
    if (concept.found) found += concept.weight;
  }
  return asked === 0 ? 0 : found / asked;
}

/** Whether a passage's matched words hold one of `lexemes`, or a word of its group (as weightedCoverage counts it). */
export function holdsAnyOf(lexemes: Iterable<string>, matched: readonly string[], groups: ReadonlyArray<ReadonlySet<string>> = []): boolean {
  const present = new Set(matched);
  return [...lexemes].some((lexeme) => isHeld(lexeme, present, groups));
}

/** `lexeme` is held when the passage holds it, or, for a word of a group (the first that has it), any of the group. */
function isHeld(lexeme: string, present: ReadonlySet<string>, groups: ReadonlyArray<ReadonlySet<string>>): boolean {
  const group = groups.find((members) => members.has(lexeme));
  return group ? [...group].some((member) => present.has(member)) : present.has(lexeme);
}
