import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { pageOf } from '@ensoras/runtime';
import { quotedTable } from '@ensoras/persistence';
import { detectBodyFormat, type BodyFormat } from './article-text.js';
import { KnowledgeArticle } from './knowledge-article.entity.js';
import { encodeArticleCursor } from './knowledge-cursor.js';
import { DEFAULT_LANGUAGE, DEFAULT_PAGE_SIZE } from './knowledge-limits.js';
import { KnowledgePassage } from './knowledge-passage.entity.js';
import { PassageEmbedder } from './passage-embedder.js';
import { splitArticle, type Passage } from './passage-splitter.js';
import { TextSearchConfigs } from './text-search-configs.js';

/** An article as an admin gives it (the DTOs after validation). */
export interface ArticleInput {
  id: string;
  title: string;
  body: string;
  language?: string;
  tags?: string[];
  url?: string | null;
}

/** An article as the admin API shows it: what was given, how it was read, and into how many passages it was cut. */
export interface KnowledgeArticleView {
  id: string;
  title: string;
  body: string;
  bodyFormat: BodyFormat;
  language: string;
  tags: string[];
  url: string | null;
  passageCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A listed article: all but its body. */
export type KnowledgeArticleSummary = Omit<KnowledgeArticleView, 'body'>;

export interface KnowledgeArticlePage {
  items: KnowledgeArticleSummary[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** An article ready to be written: normalised, its body read and cut into passages. */
interface PreparedArticle {
  id: string;
  title: string;
  body: string;
  bodyFormat: BodyFormat;
  language: string;
  tags: string[];
  url: string | null;
  searchConfig: string;
  passages: Passage[];
}

interface ArticleRow {
  article_id: string;
  title: string;
  body?: string;
  body_format: BodyFormat;
  language: string;
  tags: string[];
  url: string | null;
  passage_count: number | string;
  created_at: Date;
  updated_at: Date;
  created?: boolean;
}

/** Articles per INSERT of an import, passages per INSERT: bounded statements whatever an import holds. */
const ARTICLES_PER_STATEMENT = 50;
const PASSAGES_PER_STATEMENT = 500;

/**
 * The knowledge base's articles: written (with their passages and search vectors) in one transaction each PUT or
 * import, so a search never sees an article with part of its passages, or an import half done. Embeddings (when
 * configured) come after the commit, from PassageEmbedder: never a network call inside the transaction.
 */
@Injectable()
export class KnowledgeStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly configs: TextSearchConfigs,
    private readonly embedder: PassageEmbedder,
  ) {}

  /** Creates or replaces one article; `created` tells which. */
  async put(projectId: string, article: ArticleInput): Promise<{ created: boolean; article: KnowledgeArticleView }> {
    const [prepared] = await this.prepare([article]);
    const [written] = await this.dataSource.transaction((manager) => this.write(manager, projectId, [prepared!]));
    this.embedder.embedAfterWrite(projectId);
    return written!;
  }

  /** Creates or replaces every article, all or nothing. */
  async import(projectId: string, articles: readonly ArticleInput[]): Promise<{ created: number; replaced: number; articles: KnowledgeArticleSummary[] }> {
    const prepared = await this.prepare(articles);
    const written = await this.dataSource.transaction((manager) => this.write(manager, projectId, prepared));
    this.embedder.embedAfterWrite(projectId);
    return {
      created: written.filter((entry) => entry.created).length,
      replaced: written.filter((entry) => !entry.created).length,
      articles: written.map(({ article }) => summaryOf(article)),
    };
  }

  async get(projectId: string, articleId: string): Promise<KnowledgeArticleView> {
    const [row] = await this.dataSource.query<ArticleRow[]>(
      `SELECT a.*, (SELECT count(*) FROM ${quotedTable(this.dataSource, KnowledgePassage)} p WHERE p.project_id = a.project_id AND p.article_id = a.article_id) AS passage_count
        FROM ${quotedTable(this.dataSource, KnowledgeArticle)} a WHERE a.project_id = $1 AND a.article_id = $2`,
      [projectId, articleId],
    );
    if (!row) throw notFound(articleId);
    return viewOf(row);
  }

  /** Removes the article and its passages; 404 when there is none. */
  async delete(projectId: string, articleId: string): Promise<void> {
    // As a SELECT: TypeORM answers a bare DELETE with [rows, count] rather than its rows.
    const [{ deleted }] = await this.dataSource.query<Array<{ deleted: number }>>(
      `WITH gone AS (DELETE FROM ${quotedTable(this.dataSource, KnowledgeArticle)} WHERE project_id = $1 AND article_id = $2 RETURNING 1)
        SELECT count(*)::int AS deleted FROM gone`,
      [projectId, articleId],
    );
    if (deleted === 0) throw notFound(articleId);
  }

  /** A page of the project's articles in the order of their ids, after the one `after` names. */
  async list(projectId: string, page: { limit?: number; after?: string | null }): Promise<KnowledgeArticlePage> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.dataSource.query<ArticleRow[]>(
      `SELECT a.article_id, a.title, a.body_format, a.language, a.tags, a.url, a.created_at, a.updated_at,
          (SELECT count(*) FROM ${quotedTable(this.dataSource, KnowledgePassage)} p WHERE p.project_id = a.project_id AND p.article_id = a.article_id) AS passage_count
        FROM ${quotedTable(this.dataSource, KnowledgeArticle)} a
        WHERE a.project_id = $1 AND ($2::text IS NULL OR a.article_id > $2::text)
        ORDER BY a.article_id
        LIMIT $3`,
      [projectId, page.after ?? null, limit + 1],
    );
    return pageOf(rows, limit, (row) => summaryOf(viewOf(row)), (last) => encodeArticleCursor(last.article_id));
  }

  /** Reads and cuts the bodies before any transaction: the CPU work, and the one query it may need, stay outside. */
  private async prepare(articles: readonly ArticleInput[]): Promise<PreparedArticle[]> {
    const prepared: PreparedArticle[] = [];
    for (const article of articles) {
      const language = article.language ?? DEFAULT_LANGUAGE;
      const bodyFormat = detectBodyFormat(article.body);
      const title = article.title.trim();
      prepared.push({
        id: article.id,
        title,
        body: article.body,
        bodyFormat,
        language,
        tags: (article.tags ?? []).map((tag) => tag.trim()),
        url: article.url ?? null,
        searchConfig: await this.configs.configOf(language),
        passages: splitArticle({ title, body: article.body, format: bodyFormat }),
      });
    }
    // One order for every writer, so two imports touching the same articles cannot deadlock.
    return prepared.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Upserts the articles and replaces their passages, in the caller's transaction. */
  private async write(
    manager: EntityManager,
    projectId: string,
    articles: readonly PreparedArticle[],
  ): Promise<Array<{ created: boolean; article: KnowledgeArticleView }>> {
    const written: Array<{ created: boolean; article: KnowledgeArticleView }> = [];
    for (const chunk of chunks(articles, ARTICLES_PER_STATEMENT)) {
      const rows = await manager.query<ArticleRow[]>(
        `INSERT INTO ${quotedTable(this.dataSource, KnowledgeArticle)} AS a
            (project_id, article_id, title, body, body_format, language, tags, url, created_at, updated_at)
          SELECT $1, input.article_id, input.title, input.body, input.body_format, input.language,
              ARRAY(SELECT tag.value FROM jsonb_array_elements_text(input.tags) WITH ORDINALITY AS tag(value, n) ORDER BY tag.n),
              input.url, now(), now()
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
              AS input(article_id, title, body, body_format, language, tags, url)
          ON CONFLICT (project_id, article_id) DO UPDATE SET
            title = EXCLUDED.title, body = EXCLUDED.body, body_format = EXCLUDED.body_format, language = EXCLUDED.language,
            tags = EXCLUDED.tags, url = EXCLUDED.url, updated_at = EXCLUDED.updated_at
          RETURNING a.*, (a.xmax = 0) AS created`,
        [
          projectId,
          chunk.map((article) => article.id),
          chunk.map((article) => article.title),
          chunk.map((article) => article.body),
          chunk.map((article) => article.bodyFormat),
          chunk.map((article) => article.language),
          chunk.map((article) => JSON.stringify(article.tags)),
          chunk.map((article) => article.url),
        ],
      );
      const passageCounts = new Map(chunk.map((article) => [article.id, article.passages.length]));
      for (const row of rows) written.push({ created: row.created === true, article: viewOf({ ...row, passage_count: passageCounts.get(row.article_id) ?? 0 }) });
    }

    await manager.query(`DELETE FROM ${quotedTable(this.dataSource, KnowledgePassage)} WHERE project_id = $1 AND article_id = ANY($2::text[])`, [
      projectId,
      articles.map((article) => article.id),
    ]);
    const passages = articles.flatMap((article) => article.passages.map((passage) => ({ article, passage })));
    for (const chunk of chunks(passages, PASSAGES_PER_STATEMENT)) {
      await manager.query(
        `INSERT INTO ${quotedTable(this.dataSource, KnowledgePassage)}
            (project_id, article_id, position, heading, text, language, search_config, search_vector)
          SELECT $1, input.article_id, input.position, input.heading, input.text, input.language, input.config,
              setweight(to_tsvector(input.config::regconfig, input.title), 'A')
                || setweight(to_tsvector(input.config::regconfig, coalesce(input.heading, '')), 'B')
                || setweight(to_tsvector(input.config::regconfig, input.text), 'D')
            FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
              AS input(article_id, position, heading, text, language, config, title)`,
        [
          projectId,
          chunk.map(({ article }) => article.id),
          chunk.map(({ passage }) => passage.position),
          chunk.map(({ passage }) => passage.heading),
          chunk.map(({ passage }) => passage.text),
          chunk.map(({ article }) => article.language),
          chunk.map(({ article }) => article.searchConfig),
          chunk.map(({ article }) => article.title),
        ],
      );
    }
    const order = new Map(articles.map((article, index) => [article.id, index]));
    return written.sort((a, b) => order.get(a.article.id)! - order.get(b.article.id)!);
  }
}

function viewOf(row: ArticleRow): KnowledgeArticleView {
  return {
    id: row.article_id,
    title: row.title,
    body: row.body ?? '',
    bodyFormat: row.body_format,
    language: row.language,
    tags: row.tags,
    url: row.url,
    passageCount: Number(row.passage_count),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function summaryOf(view: KnowledgeArticleView): KnowledgeArticleSummary {
  const { body: _body, ...summary } = view;
  return summary;
}

function notFound(articleId: string): NotFoundException {
  return new NotFoundException(`No knowledge article "${articleId}" in this project`);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
