import { type BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { quotedTable } from '@ensoras/persistence';
import { EMBEDDING_BATCH_SIZE, EMBEDDING_CLIENT, type EmbeddingClient } from './embedding-client.js';
import { KnowledgeArticle } from './knowledge-article.entity.js';
import { KnowledgePassage } from './knowledge-passage.entity.js';

/** How often the sweep looks for passages without an embedding of the current model. */
const SWEEP_INTERVAL_MS = 60_000;
/** Passages one sweep embeds at most: a model change re-embeds a large knowledge base over many ticks, not in one burst. */
const SWEEP_MAX_PASSAGES = 4 * EMBEDDING_BATCH_SIZE;
/** After a failed sweep the next waits twice as long as the one before, up to this. */
const MAX_SWEEP_BACKOFF_MS = 30 * 60_000;

interface StalePassage {
  id: string;
  title: string;
  heading: string | null;
  text: string;
}

/**
 * Gives passages their embeddings (AI_EMBEDDINGS_MODEL), never inside the transaction that writes them: the network
 * may take seconds, and the embedded database has a single connection. Right after an article is written its
 * project's passages are embedded without the writer waiting; a sweep every minute embeds what that missed (the
 * endpoint was down, the service stopped) and what another model made, a bounded number per tick and backing off
 * while the endpoint fails. Each vector is written only to a passage that still has the text it was made from and
 * no vector of the model yet: replicas embedding the same passage at once just write the same value. Without
 * AI_EMBEDDINGS_MODEL it does nothing at all.
 */
@Injectable()
export class PassageEmbedder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PassageEmbedder.name);
  /** The run of each project; a write during it makes it run once more (its SELECT may have missed the new passages). */
  private readonly runs = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private sweeping: Promise<void> | undefined;
  /** Where the next sweep goes on: a batch the endpoint refuses is tried again on the next round, not before the others. */
  private sweepAfterId = '0';
  private sweepPausedUntil = 0;
  private sweepBackoffMs = SWEEP_INTERVAL_MS;
  /** Aborts the requests in flight at shutdown. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(EMBEDDING_CLIENT) private readonly client: EmbeddingClient | null = null,
  ) {}

  /** After a write has committed: embeds the project's new passages in the background, logging a failure. */
  embedAfterWrite(projectId: string): void {
    if (!this.client || this.stopping.signal.aborted) return;
    void this.embedProject(projectId).catch((error: unknown) => {
      if (this.stopping.signal.aborted) return;
      this.logger.warn(`Embedding the passages of project ${projectId} failed; the sweep tries again: ${messageOf(error)}`);
    });
  }

  /** Embeds every passage of the project that has no embedding of the current model; resolves when all have one. */
  embedProject(projectId: string): Promise<void> {
    if (!this.client) return Promise.resolve();
    const running = this.runs.get(projectId);
    if (running) {
      this.rerun.add(projectId);
      return running;
    }
    const run = (async () => {
      try {
        do {
          this.rerun.delete(projectId);
          await this.embedAll(projectId);
        } while (this.rerun.has(projectId));
      } finally {
        this.runs.delete(projectId);
        this.rerun.delete(projectId);
      }
    })();
    this.runs.set(projectId, run);
    return run;
  }

  @Interval(SWEEP_INTERVAL_MS)
  tick(): void {
    if (!this.client || this.stopping.signal.aborted || this.sweeping || Date.now() < this.sweepPausedUntil) return;
    this.sweeping = this.sweep()
      .then(
        (embedded) => {
          this.sweepBackoffMs = SWEEP_INTERVAL_MS;
          if (embedded > 0) this.logger.log(`Embedded ${embedded} passages with ${this.client!.target}`);
        },
        (error: unknown) => {
          if (this.stopping.signal.aborted) return;
          this.sweepPausedUntil = Date.now() + this.sweepBackoffMs;
          this.logger.warn(`Embedding passages failed; next try in ${Math.round(this.sweepBackoffMs / 1000)} s: ${messageOf(error)}`);
          this.sweepBackoffMs = Math.min(this.sweepBackoffMs * 2, MAX_SWEEP_BACKOFF_MS);
        },
      )
      .finally(() => (this.sweeping = undefined));
  }

  /**
   * One sweep over all projects: up to SWEEP_MAX_PASSAGES passages without an embedding of the current model, going
   * on from where the last one stopped. Resolves with how many it embedded; rejects at the first failed request.
   */
  async sweep(): Promise<number> {
    if (!this.client) return 0;
    let embedded = 0;
    let wrapped = false;
    while (embedded < SWEEP_MAX_PASSAGES) {
      const batch = await this.stale(null, this.sweepAfterId, Math.min(EMBEDDING_BATCH_SIZE, SWEEP_MAX_PASSAGES - embedded));
      if (batch.length === 0) {
        if (wrapped || this.sweepAfterId === '0') break;
        this.sweepAfterId = '0';
        wrapped = true;
        continue;
      }
      this.sweepAfterId = batch[batch.length - 1]!.id;
      await this.embed(batch);
      embedded += batch.length;
    }
    return embedded;
  }

  /** Stops starting work and waits for what runs (its requests aborted), before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.runs.values(), this.sweeping]);
  }

  /** The project's stale passages in id order, batch by batch: passages written meanwhile come after and are found too. */
  private async embedAll(projectId: string): Promise<void> {
    let afterId = '0';
    for (;;) {
      const batch = await this.stale(projectId, afterId, EMBEDDING_BATCH_SIZE);
      if (batch.length === 0) return;
      await this.embed(batch);
      afterId = batch[batch.length - 1]!.id;
    }
  }

  private async embed(batch: readonly StalePassage[]): Promise<void> {
    const client = this.client!;
    if (this.stopping.signal.aborted) throw new Error('shutting down');
    const vectors = await client.embed(batch.map(embeddingInputOf), { signal: this.stopping.signal });
    await this.dataSource.query(
      `UPDATE ${quotedTable(this.dataSource, KnowledgePassage)} AS p SET embedding = input.embedding::real[], embedding_model = $1
        FROM unnest($2::bigint[], $3::text[], $4::text[]) AS input(id, text, embedding)
        WHERE p.id = input.id AND p.text = input.text AND (p.embedding IS NULL OR p.embedding_model IS DISTINCT FROM $1)`,
      [client.model, batch.map((passage) => passage.id), batch.map((passage) => passage.text), vectors.map((vector) => `{${vector.join(',')}}`)],
    );
  }

  /** Passages after `afterId` (of one project, or of all) without an embedding of the current model, in id order. */
  private stale(projectId: string | null, afterId: string, limit: number): Promise<StalePassage[]> {
    return this.dataSource.query<StalePassage[]>(
      `SELECT p.id::text AS id, a.title, p.heading, p.text
        FROM ${quotedTable(this.dataSource, KnowledgePassage)} p
        JOIN ${quotedTable(this.dataSource, KnowledgeArticle)} a ON a.project_id = p.project_id AND a.article_id = p.article_id
        WHERE p.id > $1::bigint AND (p.embedding IS NULL OR p.embedding_model IS DISTINCT FROM $2)
          ${projectId === null ? '' : 'AND p.project_id = $4'}
        ORDER BY p.id
        LIMIT $3`,
      projectId === null ? [afterId, this.client!.model, limit] : [afterId, this.client!.model, limit, projectId],
    );
  }
}

/**
 * What a passage's embedding is made of: the article's title and the section's heading with the text, as its text
 * search vector is, so a passage that only says "within 30 days" is still about returns.
 */
export function embeddingInputOf(passage: { title: string; heading: string | null; text: string }): string {
  return [passage.title, passage.heading, passage.text].filter((part) => part !== null && part.trim() !== '').join('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
