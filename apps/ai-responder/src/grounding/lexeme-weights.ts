import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KnowledgePassage } from '../knowledge/knowledge-passage.entity.js';
import { isFramingWord } from './question-words.js';

/** A question's words in one text search configuration, each with how much it says about the question. */
export interface WeightedLexemes {
  config: string;
  /** lexeme → weight: rare in the knowledge base weighs more; unknown to it, the most (a topic it lacks). */
  weights: Map<string, number>;
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
    const metadata = this.dataSource.getMetadata(KnowledgePassage);
    const table = metadata.schema ? `"${metadata.schema}"."${metadata.tableName}"` : `"${metadata.tableName}"`;
    const rows = await this.dataSource.query<Array<{ lexeme: string; ndoc: number | string; total: number | string }>>(
      `WITH asked AS (
          SELECT DISTINCT word.lexeme FROM unnest(to_tsvector($2::text::regconfig, $3)) AS word(lexeme, positions, weights)),
        stats AS (
          SELECT word, ndoc FROM ts_stat(format('SELECT search_vector FROM ${table} WHERE project_id = %L AND search_config = %L', $1::text, $2::text)))
        SELECT asked.lexeme, coalesce(stats.ndoc, 0) AS ndoc,
               (SELECT count(*) FROM ${table} WHERE project_id = $1 AND search_config = $2::text) AS total
          FROM asked LEFT JOIN stats ON stats.word = asked.lexeme`,
      [projectId, config, text.slice(0, 4_000).replace(/\u0000/g, ' ')],
    );
    const total = Math.max(1, Number(rows[0]?.total ?? 1));
    const weights = new Map<string, number>();
    for (const row of rows) {
      if (isFramingWord(config, row.lexeme)) continue;
      const documents = Number(row.ndoc);
      // Unknown to the knowledge base: as telling as a word in a single passage.
      weights.set(row.lexeme, Math.log((total + 1) / (Math.max(documents, 1) + 0.5)));
    }
    return { config, weights };
  }
}

/** Share of a question's weight that a passage's matched words carry: 1 when it holds every telling word. */
export function weightedCoverage(question: WeightedLexemes, matched: readonly string[]): number {
  let asked = 0;
  let found = 0;
  const present = new Set(matched);
  for (const [lexeme, weight] of question.weights) {
    asked += weight;
    if (present.has(lexeme)) found += weight;
  }
  return asked === 0 ? 0 : found / asked;
}
