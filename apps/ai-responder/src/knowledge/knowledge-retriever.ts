import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { quotedTable } from '@ensoras/persistence';
import { EMBEDDING_CLIENT, isTimeout, type EmbeddingClient } from './embedding-client.js';
import { reciprocalRankFusion } from './hybrid-ranking.js';
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
  /**
   * Cosine similarity of the passage's embedding and the text's (AI_EMBEDDINGS_MODEL), -1..1; null when the passage
   * has none of the model yet. Left out when the search used no embeddings (none configured, none made yet, or the
   * endpoint failed).
   */
  similarity?: number | null;
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

/** Characters of the text its embedding is made of: a passage's worth, which every embedding model takes whole. */
const MAX_QUERY_EMBEDDING_CHARS = 2_000;
/** A text's embedding is waited for at most this long (AI_TIMEOUT_MS, if shorter); then the search goes on without. */
const QUERY_EMBEDDING_TIMEOUT_MS = 10_000;
/** After a text's embedding timed out, searches do without embeddings this long, rather than each waiting in vain. */
const QUERY_EMBEDDING_PAUSE_MS = 60_000;
/** At most one warning about a failed embedding per this interval: a down endpoint fails every search. */
const WARNING_INTERVAL_MS = 60_000;

/** The query a passage's text search vector is matched against, per configuration. */
interface ConfigQuery {
  config: string;
  lexemes: string[];
  query: string;
}

interface CandidateRow {
  id: string;
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
  similarity?: number | string | null;
}

/** What every search returns of a passage `p` of article `a` (all but its score and similarity). */
const PASSAGE_COLUMNS = `p.id::text AS id, p.article_id, a.title, a.url, p.language, p.heading, p.text, p.search_config AS config,
  tsvector_to_array(p.search_vector) AS lexemes,
  ARRAY(SELECT word.lexeme FROM unnest(p.search_vector) AS word(lexeme, positions, weights)
         WHERE word.weights && ARRAY['A', 'B']::text[]) AS headed`;

/**
 * The cosine similarity of passage `p`'s embedding and the query's, `$6` (of unit length, so only the passage's norm
 * divides), for passages of the model `$7` and the query's length; null for others. In SQL over real[]: see the
 * migration AddPassageEmbeddings for why not pgvector.
 */
const SIMILARITY = `(SELECT sum(pair.x * pair.y) / nullif(sqrt(sum(pair.x * pair.x)), 0)
    FROM unnest(p.embedding::float8[], $6::float8[]) AS pair(x, y)
    WHERE p.embedding_model = $7 AND cardinality(p.embedding) = cardinality($6::float8[]))`;

/**
 * Finds the passages of a project's knowledge base that a text (a customer's question or whole mail) is about, with
 * PostgreSQL text search in each passage's own language: the text's lexemes in that language's configuration (stop
 * words dropped, words stemmed: "returning" finds "return"), any of them matching (OR: a mail's words are never all
 * in one passage), ranked by cover density with title and heading weighted above the text.
 */
@Injectable()
export class KnowledgeRetriever {
  private readonly logger = new Logger(KnowledgeRetriever.name);
  private embeddingPausedUntil = 0;
  private lastWarningAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(EMBEDDING_CLIENT) private readonly embeddings: EmbeddingClient | null = null,
  ) {}

  /**
   * Best passages for `text` in the project's knowledge base, best first; [] when it has none. With embeddings
   * (AI_EMBEDDINGS_MODEL, and the project's passages have some) the search is hybrid: the passages nearest the text's
   * meaning join those its words find, both ranked together by reciprocal rank fusion, so a question about "bitcoin"
   * finds the article on cryptocurrency. `score`, `coverage` and `matched` stay the full-text search's (0 and [] for
   * a passage only its meaning found).
   */
  async retrieve(projectId: string, text: string, options: { limit?: number; language?: string } = {}): Promise<RetrievedPassage[]> {
    const limit = Math.max(1, Math.min(MAX_RETRIEVAL_LIMIT, Math.floor(options.limit ?? DEFAULT_RETRIEVAL_LIMIT)));
    // PostgreSQL text cannot hold NUL.
    const input = cutText(text, MAX_QUERY_TEXT_CHARS).replace(/\u0000/g, ' ');
    if (input.trim() === '') return [];

    const queries = (await this.queryLexemes(projectId, input))
      .map(({ config, lexemes }) => ({ config, lexemes: distinctLexemes(lexemes), query: orQuery(lexemes) }))
      .filter((entry): entry is ConfigQuery => entry.query !== null);
    // Not a word in any configuration (or no passages): nothing, embeddings or not; the passages nearest the meaning
    // of "?!…" would be noise.
    if (queries.length === 0) return [];
    const lexemesOf = new Map(queries.map((entry) => [entry.config, entry.lexemes]));
    const language = options.language ?? null;

    const vector = await this.queryEmbedding(projectId, input);
    if (vector === null) {
      const rows = await this.fullTextSearch(projectId, queries, language, limit, null);
      return rows.map((row) => passageOf(row, lexemesOf, false));
    }
    // Each side brings more candidates than asked for: what both find moves up past what only one does.
    const [byWords, byMeaning] = [
      await this.fullTextSearch(projectId, queries, language, limit * 2, vector),
      await this.nearest(projectId, queries, language, limit * 2, vector),
    ];
    const rowOf = new Map([...byMeaning, ...byWords].map((row) => [row.id, row]));
    return reciprocalRankFusion([byWords.map((row) => row.id), byMeaning.map((row) => row.id)])
      .slice(0, limit)
      .map(({ key }) => passageOf(rowOf.get(key)!, lexemesOf, true));
  }

  /** The passages whose text search vector matches the query, best ranked first; with `vector`, their similarity too. */
  private fullTextSearch(
    projectId: string,
    queries: readonly ConfigQuery[],
    language: string | null,
    limit: number,
    vector: { values: number[]; model: string } | null,
  ): Promise<CandidateRow[]> {
    return this.dataSource.query<CandidateRow[]>(
      `SELECT ${PASSAGE_COLUMNS},
          ts_rank_cd('${RANK_WEIGHTS}'::float4[], p.search_vector, q.query, ${RANK_NORMALIZATION}) AS score
          ${vector === null ? '' : `, ${SIMILARITY} AS similarity`}
        FROM unnest($2::text[], $3::text[]) AS input(config, query_text)
        CROSS JOIN LATERAL (SELECT input.query_text::tsquery AS query) AS q
        JOIN ${quotedTable(this.dataSource, KnowledgePassage)} p
          ON p.project_id = $1 AND p.search_config = input.config AND p.search_vector @@ q.query
        JOIN ${quotedTable(this.dataSource, KnowledgeArticle)} a ON a.project_id = p.project_id AND a.article_id = p.article_id
        ORDER BY score DESC, coalesce(p.language = $4::text, false) DESC, p.article_id, p.position
        LIMIT $5`,
      [
        projectId,
        queries.map((entry) => entry.config),
        queries.map((entry) => entry.query),
        language,
        limit,
        ...(vector === null ? [] : [vector.values, vector.model]),
      ],
    );
  }

  /**
   * The passages whose embeddings are nearest the text's (by cosine similarity, over every embedded passage of the
   * project), with the same columns as the full-text search: its rank where the passage matches the query too, else 0.
   */
  private nearest(
    projectId: string,
    queries: readonly ConfigQuery[],
    language: string | null,
    limit: number,
    vector: { values: number[]; model: string },
  ): Promise<CandidateRow[]> {
    return this.dataSource.query<CandidateRow[]>(
      `WITH nearest AS (
          SELECT p.id, ${SIMILARITY} AS similarity
            FROM ${quotedTable(this.dataSource, KnowledgePassage)} p
            WHERE p.project_id = $1 AND p.embedding_model = $7 AND cardinality(p.embedding) = cardinality($6::float8[])
            ORDER BY similarity DESC NULLS LAST, coalesce(p.language = $4::text, false) DESC, p.article_id, p.position
            LIMIT $5)
        SELECT ${PASSAGE_COLUMNS}, coalesce(words.score, 0) AS score, nearest.similarity
          FROM nearest
          JOIN ${quotedTable(this.dataSource, KnowledgePassage)} p ON p.id = nearest.id
          JOIN ${quotedTable(this.dataSource, KnowledgeArticle)} a ON a.project_id = p.project_id AND a.article_id = p.article_id
          LEFT JOIN LATERAL (
            SELECT ts_rank_cd('${RANK_WEIGHTS}'::float4[], p.search_vector, input.query_text::tsquery, ${RANK_NORMALIZATION}) AS score
              FROM unnest($2::text[], $3::text[]) AS input(config, query_text)
              WHERE input.config = p.search_config AND p.search_vector @@ input.query_text::tsquery
          ) AS words ON true
          ORDER BY nearest.similarity DESC NULLS LAST, coalesce(p.language = $4::text, false) DESC, p.article_id, p.position`,
      [projectId, queries.map((entry) => entry.config), queries.map((entry) => entry.query), language, limit, vector.values, vector.model],
    );
  }

  /**
   * The text's embedding, scaled to length 1, when the search can use one: embeddings configured, the project has
   * passages embedded with the model, and the endpoint answers. Null otherwise: the search is then full-text only, as
   * it would be without embeddings; it never fails because the endpoint does.
   */
  private async queryEmbedding(projectId: string, text: string): Promise<{ values: number[]; model: string } | null> {
    const client = this.embeddings;
    if (!client || Date.now() < this.embeddingPausedUntil) return null;
    const [{ embedded }] = await this.dataSource.query<Array<{ embedded: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM ${quotedTable(this.dataSource, KnowledgePassage)} WHERE project_id = $1 AND embedding_model = $2) AS embedded`,
      [projectId, client.model],
    );
    if (!embedded) return null;
    try {
      const [vector] = await client.embed([cutText(text, MAX_QUERY_EMBEDDING_CHARS)], { timeoutMs: QUERY_EMBEDDING_TIMEOUT_MS });
      const norm = Math.sqrt(vector!.reduce((sum, value) => sum + value * value, 0));
      if (norm === 0) return null;
      return { values: vector!.map((value) => value / norm), model: client.model };
    } catch (error) {
      // An endpoint that answers with an error costs a round trip; one that hangs costs every search the timeout.
      if (isTimeout(error)) this.embeddingPausedUntil = Date.now() + QUERY_EMBEDDING_PAUSE_MS;
      this.warn(`Searching by words only: the text's embedding failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = Date.now();
    this.logger.warn(message);
  }

  /** The languages (ISO 639-1) the project's articles are written in, the most used first; [] without any. */
  async languages(projectId: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ language: string }>>(
      `SELECT language FROM ${quotedTable(this.dataSource, KnowledgeArticle)} WHERE project_id = $1 GROUP BY language ORDER BY count(*) DESC, language`,
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
        FROM (SELECT DISTINCT search_config FROM ${quotedTable(this.dataSource, KnowledgePassage)} WHERE project_id = $1) AS c
        ORDER BY c.search_config`,
      [projectId, text],
    );
  }
}

/** A row as the caller sees it: which of the text's lexemes it holds, and how many of them, as the query asked. */
function passageOf(row: CandidateRow, lexemesOf: ReadonlyMap<string, string[]>, withSimilarity: boolean): RetrievedPassage {
  const asked = lexemesOf.get(row.config) ?? [];
  const present = new Set(row.lexemes);
  const matched = asked.filter((lexeme) => present.has(lexeme));
  const headed = new Set(row.headed);
  const passage: RetrievedPassage = {
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
  if (withSimilarity) passage.similarity = row.similarity === null || row.similarity === undefined ? null : round(Number(row.similarity));
  return passage;
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
