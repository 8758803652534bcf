import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { onlyWithAdminToken } from '@ensoras/runtime';
import type { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { EMBEDDING_CLIENT, EmbeddingClient, type EmbeddingSettings } from './embedding-client.js';
import { KnowledgeController } from './knowledge.controller.js';
import { KnowledgeRetriever } from './knowledge-retriever.js';
import { KnowledgeStore } from './knowledge-store.service.js';
import { PassageEmbedder } from './passage-embedder.js';
import { TextSearchConfigs } from './text-search-configs.js';

/**
 * A project's knowledge base: the store of articles and their passages, the embedder of the passages, and the
 * retriever the responder asks. Its entities (KNOWLEDGE_ENTITIES) are registered with the service's persistence; the
 * admin routes are in KnowledgeAdminModule; the embeddings model, if any, comes from KnowledgeEmbeddingsModule.
 */
@Module({
  providers: [KnowledgeRetriever, KnowledgeStore, TextSearchConfigs, PassageEmbedder],
  exports: [KnowledgeRetriever, KnowledgeStore, TextSearchConfigs, PassageEmbedder],
})
export class KnowledgeModule {}

/**
 * EMBEDDING_CLIENT for the whole application: the client of AI_EMBEDDINGS_MODEL, or null without one. Global, because
 * KnowledgeModule is imported as it is by several modules (grounding, the admin routes), which cannot pass it
 * settings; without this module imported at all, KnowledgeModule runs without embeddings too.
 */
@Module({})
export class KnowledgeEmbeddingsModule {
  static forRoot(settings: EmbeddingSettings | null): DynamicModule {
    return {
      module: KnowledgeEmbeddingsModule,
      global: true,
      providers: [{ provide: EMBEDDING_CLIENT, useFactory: () => createEmbeddingClient(settings) }],
      exports: [EMBEDDING_CLIENT],
    };
  }
}

/** AI_EMBEDDINGS_MODEL at AI_BASE_URL with AI_API_KEY; null when AI_EMBEDDINGS_MODEL is unset. */
export function embeddingSettingsOf(environment: AiResponderEnvironment): EmbeddingSettings | null {
  const model = environment.AI_EMBEDDINGS_MODEL?.trim();
  if (!model) return null;
  // The environment is validated at start; this repeats it for callers that build one by hand (tests, scripts).
  for (const name of ['AI_BASE_URL', 'AI_API_KEY'] as const) {
    if (!environment[name]?.trim()) throw new Error(`${name} is required when AI_EMBEDDINGS_MODEL is set`);
  }
  return { model, baseUrl: environment.AI_BASE_URL!, apiKey: environment.AI_API_KEY!, timeoutMs: environment.AI_TIMEOUT_MS ?? 60_000 };
}

function createEmbeddingClient(settings: EmbeddingSettings | null): EmbeddingClient | null {
  const logger = new Logger('KnowledgeEmbeddings');
  if (!settings) {
    logger.log('Knowledge search: full-text only (set AI_EMBEDDINGS_MODEL for hybrid search with embeddings)');
    return null;
  }
  const client = new EmbeddingClient(settings);
  logger.log(`Knowledge search: hybrid, full-text and embeddings of ${client.target}`);
  return client;
}

@Module({})
export class KnowledgeAdminModule {
  /**
   * The API routes of the knowledge base (scopes on KnowledgeController). Without ADMIN_TOKEN they are not registered
   * and answer 404, like the service's other admin routes.
   */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    return onlyWithAdminToken(options.adminToken, {
      module: KnowledgeAdminModule,
      imports: [KnowledgeModule],
      controllers: [KnowledgeController],
    });
  }
}
