import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { decodeArticleCursor } from './knowledge-cursor.js';
import { ARTICLE_ID_PATTERN } from './knowledge-limits.js';
import { ArticleIdPipe, badRequest, ImportKnowledgePipe } from './knowledge-pipes.js';
import { KnowledgeRetriever, type RetrievedPassage } from './knowledge-retriever.js';
import {
  KnowledgeStore,
  type KnowledgeArticlePage,
  type KnowledgeArticleSummary,
  type KnowledgeArticleView,
} from './knowledge-store.service.js';
import { ImportKnowledgeDto, ListKnowledgeArticlesQuery, PutKnowledgeArticleDto, SearchKnowledgeQuery } from './knowledge.dto.js';

/** `:articleId`, as ArticleIdPipe holds it. */
const ArticleIdParam = () => ApiParam({ name: 'articleId', schema: { type: 'string', pattern: ARTICLE_ID_PATTERN.source } });

interface StatusResponse {
  status(code: number): unknown;
}

/** What the search route shows: the passages the responder would get for the text, as it gets them. */
export interface KnowledgeSearchView {
  passages: RetrievedPassage[];
}

/**
 * The project's knowledge base: articles in and out (knowledge:write), read and searched as the responder does
 * (config:read).
 */
@ApiTags('Knowledge base')
@Controller('v1/projects/:projectId/knowledge')
export class KnowledgeController {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly retriever: KnowledgeRetriever,
  ) {}

  /** 201 when the article is new, 200 when it replaced one (its passages with it). */
  @Put('articles/:articleId')
  @ArticleIdParam()
  @RequireScope('knowledge:write')
  @ApiOperation({ summary: 'Create or replace an article (its passages with it)' })
  @ApiCreatedResponse({ description: 'The article was new' })
  @ApiOkResponse({ description: 'The article replaced one' })
  @ApiBadRequestResponse({ description: 'A bad articleId or field' })
  async put(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('articleId', ArticleIdPipe) articleId: string,
    @Body() body: PutKnowledgeArticleDto,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<KnowledgeArticleView> {
    const { created, article } = await this.store.put(projectId, { ...body, id: articleId });
    response.status(created ? 201 : 200);
    return article;
  }

  @Get('articles/:articleId')
  @ArticleIdParam()
  @RequireScope('config:read')
  @ApiOperation({ summary: 'An article' })
  @ApiOkResponse({ description: 'The article' })
  @ApiNotFoundResponse({ description: 'No article with this id in the project' })
  get(@Param('projectId', ProjectIdPipe) projectId: string, @Param('articleId', ArticleIdPipe) articleId: string): Promise<KnowledgeArticleView> {
    return this.store.get(projectId, articleId);
  }

  @Delete('articles/:articleId')
  @ArticleIdParam()
  @RequireScope('knowledge:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an article' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No article with this id in the project' })
  async delete(@Param('projectId', ProjectIdPipe) projectId: string, @Param('articleId', ArticleIdPipe) articleId: string): Promise<void> {
    await this.store.delete(projectId, articleId);
  }

  /** In the order of their ids, without bodies; `nextCursor` fetches the next page. */
  @Get('articles')
  @RequireScope('config:read')
  @ApiOperation({ summary: 'The articles without bodies, in the order of their ids, a page at a time' })
  @ApiOkResponse({ description: '`{ items, nextCursor }`' })
  @ApiBadRequestResponse({ description: 'A bad limit or cursor' })
  list(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: ListKnowledgeArticlesQuery): Promise<KnowledgeArticlePage> {
    let after: string | null = null;
    if (query.cursor !== undefined) {
      after = decodeArticleCursor(query.cursor);
      if (after === null) throw badRequest(['cursor: cursor must be the nextCursor of a previous page']);
    }
    return this.store.list(projectId, { limit: query.limit, after });
  }

  /** Up to 500 articles, each created or replaced, all or nothing. */
  @Post('import')
  @RequireScope('knowledge:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace up to 500 articles, all or nothing' })
  @ApiBody({ type: ImportKnowledgeDto })
  @ApiOkResponse({ description: '`{ created, replaced, articles }`' })
  @ApiBadRequestResponse({ description: 'A bad field (named `articles[3].title`), or an id given twice' })
  import(
    @Param('projectId', ProjectIdPipe) projectId: string,
    // Typed loosely on purpose: the global pipe would name fields `articles.3.title`; ImportKnowledgePipe says `articles[3].title`.
    @Body(ImportKnowledgePipe) body: Record<string, unknown>,
  ): Promise<{ created: number; replaced: number; articles: KnowledgeArticleSummary[] }> {
    return this.store.import(projectId, (body as unknown as ImportKnowledgeDto).articles);
  }

  /**
   * Exactly what the responder retrieves for the text `q` (a question or a whole mail), for debugging its answers; with
   * embeddings (AI_EMBEDDINGS_MODEL) each passage's `similarity` to the text as well.
   */
  @Get('search')
  @RequireScope('config:read')
  @ApiOperation({ summary: 'The passages the responder retrieves for a text, as it gets them (for debugging its answers)' })
  @ApiOkResponse({ description: '`{ passages }`, with `similarity` when embeddings are on' })
  @ApiBadRequestResponse({ description: 'q is missing or too long, or a bad language or limit' })
  async search(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: SearchKnowledgeQuery): Promise<KnowledgeSearchView> {
    return { passages: await this.retriever.retrieve(projectId, query.q, { language: query.language, limit: query.limit }) };
  }
}
