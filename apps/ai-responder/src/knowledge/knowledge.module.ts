import { type DynamicModule, Module } from '@nestjs/common';
import { ADMIN_TOKEN, AdminTokenGuard } from '@ensoras/runtime';
import { KnowledgeController } from './knowledge.controller.js';
import { KnowledgeRetriever } from './knowledge-retriever.js';
import { KnowledgeStore } from './knowledge-store.service.js';
import { TextSearchConfigs } from './text-search-configs.js';

/**
 * A project's knowledge base: the store of articles and their passages, and the retriever the responder asks. Its
 * entities (KNOWLEDGE_ENTITIES) are registered with the service's persistence; the admin routes are in
 * KnowledgeAdminModule.
 */
@Module({
  providers: [KnowledgeRetriever, KnowledgeStore, TextSearchConfigs],
  exports: [KnowledgeRetriever, KnowledgeStore, TextSearchConfigs],
})
export class KnowledgeModule {}

@Module({})
export class KnowledgeAdminModule {
  /**
   * The admin routes of the knowledge base, behind `Authorization: Bearer <ADMIN_TOKEN>`. Without a token they are
   * not registered and answer 404, like the service's other admin routes.
   */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    if (!options.adminToken) return { module: KnowledgeAdminModule };
    return {
      module: KnowledgeAdminModule,
      imports: [KnowledgeModule],
      controllers: [KnowledgeController],
      providers: [{ provide: ADMIN_TOKEN, useValue: options.adminToken }, AdminTokenGuard],
    };
  }
}
