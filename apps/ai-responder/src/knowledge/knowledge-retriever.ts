import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KnowledgeArticle } from './knowledge-article.entity.js';
import { KnowledgePassage } from './knowledge-passage.entity.js';
import { distinctLexemes, MAX_QUERY_LEXEMES, MAX_QUERY_TEXT_CHARS, orQuery } from './search-query.js';

export interface RetrievedPassage {
  articleId: string;
  title: string;
  url: string | null;
  language: string;
  heading: string | null;
  text: string;
  score: number;
  /** share of the query's distinct lexemes (in the passage's language) found in this passage, 0..1 */
  coverage: number;
  /** the query lexemes found in it */
  matched: string[];
  /** those of `matched` found in the article's title or the section's heading (weights A and B) */
  matchedInHeadings: string[];
}

/** Passages retrieve() returns unless told otherwise, and at most. */
export const DEFAULT_RETRIEVAL_LIMIT = 5;
export const MAX_RETRIEVAL_LIMIT = 50;

/**
 * ts_rank_cd's weights for D, C, B, A: the article title (A) counts ten times a word of the text (D), a section
 * heading (B) four times.
 */
const RANK_WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';
/** ts_rank_cd normalization 32: rank / (rank + 1), so a score lies in 0..1. */
const RANK_NORMALIZATION = 32;

interface CandidateRow {
  article_id: string;
  title: string;
  url: string | null;
  language: string;
  heading: string | null;
  text: string;
  config: string;
  score: number | string;
  lexemes: string[];
  headed: string[];
}

/**
 * Finds the passages of a project's knowledge base that a text (a customer's question or whole mail) is about, with
 * PostgreSQL text search in each passage's own language: the text's lexemes in that language's configuration (stop
 * words dropped, words stemmed: "returning" finds "return"), any of them matching (OR: a mail's words are never all
 * in one passage), ranked by cover density with title and heading weighted above the text.
 */
@Injectable()
export class KnowledgeRetriever {
  constructor(private readonly dataSource: DataSource) {}

  /** Best passages for `text` in the project's knowledge base, best first; [] when it has none. */
  async retrieve(projectId: string, text: string, options: { limit?: number; language?: string } = {}): Promise<RetrievedPassage[]> {
    const limit = Math.max(1, Math.min(MAX_RETRIEVAL_LIMIT, Math.floor(options.limit ?? DEFAULT_RETRIEVAL_LIMIT)));
    // PostgreSQL text cannot hold NUL.
    const input = cutText(text, MAX_QUERY_TEXT_CHARS).replace(/\u0000/g, ' ');
    if (input.trim() === '') return [];

    const queries = (await this.queryLexemes(projectId, input))
      .map(({ config, lexemes }) => ({ config, lexemes: distinctLexemes(lexemes), query: orQuery(lexemes) }))
      .filter((entry): entry is { config: string; lexemes: string[]; query: string } => entry.query !== null);
    if (queries.length === 0) return [];

    const rows = await this.dataSource.query<CandidateRow[]>(
      `SELECT p.article_id, a.title, a.url, p.language, p.heading, p.text, p.search_config AS config,
          ts_rank_cd('${RANK_WEIGHTS}'::float4[], p.search_vector, q.query, ${RANK_NORMALIZATION}) AS score,
          tsvector_to_array(p.search_vector) AS lexemes,
          ARRAY(SELECT word.lexeme FROM unnest(p.search_vector) AS word(lexeme, positions, weights)
                 WHERE word.weights && ARRAY['A', 'B']::text[]) AS headed
        FROM unnest($2::text[], $3::text[]) AS input(config, query_text)
        CROSS JOIN LATERAL (SELECT input.query_text::tsquery AS query) AS q
        JOIN ${this.table(KnowledgePassage)} p
          ON p.project_id = $1 AND p.search_config = input.config AND p.search_vector @@ q.query
        JOIN ${this.table(KnowledgeArticle)} a ON a.project_id = p.project_id AND a.article_id = p.article_id
        ORDER BY score DESC, coalesce(p.language = $4::text, false) DESC, p.article_id, p.position
        LIMIT $5`,
      [projectId, queries.map((entry) => entry.config), queries.map((entry) => entry.query), options.language ?? null, limit],
    );
    const lexemesOf = new Map(queries.map((entry) => [entry.config, entry.lexemes]));
    return rows.map((row) => {
      const asked = lexemesOf.get(row.config) ?? [];
      const present = new Set(row.lexemes);
      const matched = asked.filter((lexeme) => present.has(lexeme));
      const headed = new Set(row.headed);
      return {
        articleId: row.article_id,
        title: row.title,
        url: row.url,
        language: row.language,
        heading: row.heading,
        text: row.text,
        score: round(Number(row.score)),
        coverage: asked.length === 0 ? 0 : round(matched.length / asked.length),
        matched,
        matchedInHeadings: matched.filter((lexeme) => headed.has(lexeme)),
      };
    });
  }

  /** The languages (ISO 639-1) the project's articles are written in, the most used first; [] without any. */
  async languages(projectId: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ language: string }>>(
      `SELECT language FROM ${this.table(KnowledgeArticle)} WHERE project_id = $1 GROUP BY language ORDER BY count(*) DESC, language`,
      [projectId],
    );
    return rows.map((row) => row.language);
  }

  /**
   * For each configuration the project's passages use: the text's distinct lexemes in it, in the order they first
   * occur (at most MAX_QUERY_LEXEMES). The text is a bound parameter that to_tsvector parses: no query syntax.
   */
  private queryLexemes(projectId: string, text: string): Promise<Array<{ config: string; lexemes: string[] }>> {
    return this.dataSource.query(
      `SELECT c.search_config AS config,
          ARRAY(SELECT word.lexeme FROM unnest(to_tsvector(c.search_config::regconfig, $2)) AS word(lexeme, positions, weights)
                ORDER BY word.positions[1], word.lexeme LIMIT ${MAX_QUERY_LEXEMES}) AS lexemes
        FROM (SELECT DISTINCT search_config FROM ${this.table(KnowledgePassage)} WHERE project_id = $1) AS c
        ORDER BY c.search_config`,
      [projectId, text],
    );
  }

  private table(entity: Function): string {
    const metadata = this.dataSource.getMetadata(entity);
    return metadata.schema ? `"${metadata.schema}"."${metadata.tableName}"` : `"${metadata.tableName}"`;
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The first `maxChars` of a text, not splitting a surrogate pair. */
function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = /[\uD800-\uDBFF]/.test(text[maxChars - 1]!) ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}
