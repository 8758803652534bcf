import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { ApiAccessModule, HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import type { AiResponderEnvironment } from './config/ai-responder.environment.js';
import { ConversationMessage } from './conversation/conversation-message.entity.js';
import { AiReply } from './loop-breaker/ai-reply.entity.js';
import { KnowledgeArticle } from './knowledge/knowledge-article.entity.js';
import { embeddingSettingsOf, KnowledgeAdminModule, KnowledgeEmbeddingsModule } from './knowledge/knowledge.module.js';
import { KnowledgePassage } from './knowledge/knowledge-passage.entity.js';
import { HandedOffTicket } from './loop-breaker/handed-off-ticket.entity.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { aiResponderSchema } from './migrations/schema.js';
import { PendingResponse } from './responses/pending-response.entity.js';
import { PendingResponsesApiModule } from './responses/pending-responses-api.module.js';
import { ResponsesModule } from './responses/responses.module.js';

@Module({})
export class AppModule {
  static forRoot(environment: AiResponderEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          ...aiResponderSchema(environment),
          entities: [...MESSAGING_ENTITIES, ConversationMessage, PendingResponse, AiReply, HandedOffTicket, KnowledgeArticle, KnowledgePassage],
          migrationsAtStart: environment.MIGRATIONS_AT_START,
        }),
        MessagingModule.forRoot({ serviceName: 'ai-responder', nats: environment }),
        HealthModule.forRoot(),
        MetricsModule,
        ApiAccessModule.forRoot({ adminToken: environment.ADMIN_TOKEN, rateLimitPerMinute: environment.API_RATE_LIMIT_PER_MINUTE }),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        ScheduleModule.forRoot(),
        KnowledgeEmbeddingsModule.forRoot(embeddingSettingsOf(environment)),
        ResponsesModule.forRoot(environment),
        PendingResponsesApiModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        KnowledgeAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
      ],
    };
  }
}
