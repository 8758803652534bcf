// `npm run eval`: the responder over the evaluation set in apps/ai-responder/eval/ (the demo knowledge base, the
// eval channel's style and guidelines, the customer mails with what a right answer does), printing per case what it
// did and whether that was right, then the totals against the targets. The provider is the service's own
// configuration: AI_PROVIDER=local by default; AI_PROVIDER=openai with AI_BASE_URL, AI_API_KEY and AI_MODEL runs the
// same cases against a model; AI_EMBEDDINGS_MODEL (with AI_BASE_URL and AI_API_KEY) makes the search hybrid, as in
// the service, with every passage embedded before the first case. The knowledge base goes into an embedded PGlite in
// a temp directory (EVAL_DATABASE_URL: a PostgreSQL instead). Exit code 1 when a target is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from '@ensoras/persistence';
import { plainToInstance } from 'class-transformer';
import { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { createReplyGenerator } from '../generation/generation.module.js';
import { GroundingModule } from '../grounding/grounding.module.js';
import { GroundingService } from '../grounding/grounding.service.js';
import { KnowledgeArticle } from '../knowledge/knowledge-article.entity.js';
import { KnowledgePassage } from '../knowledge/knowledge-passage.entity.js';
import { KnowledgeStore } from '../knowledge/knowledge-store.service.js';
import { embeddingSettingsOf, KnowledgeEmbeddingsModule } from '../knowledge/knowledge.module.js';
import { PassageEmbedder } from '../knowledge/passage-embedder.js';
import { MIGRATIONS } from '../migrations/index.js';
import { evaluate, formatEvaluation, loadEvalSet } from './evaluation.js';
import { targetsMet } from './judge.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-responder-eval-'));
const environment = plainToInstance(AiResponderEnvironment, { ...process.env }, { exposeDefaultValues: true });

@Module({
  imports: [
    PersistenceModule.forRoot({
      schema: 'ai_responder',
      entities: [KnowledgeArticle, KnowledgePassage],
      migrations: MIGRATIONS,
      databaseUrl: process.env.EVAL_DATABASE_URL,
      dataDir,
    }),
    KnowledgeEmbeddingsModule.forRoot(embeddingSettingsOf(environment)),
    GroundingModule,
  ],
})
class EvaluationModule {}

const app = await NestFactory.createApplicationContext(EvaluationModule, { logger: ['error', 'warn'] });
let met = false;
try {
  const set = loadEvalSet();
  const generator = createReplyGenerator(environment);
  const { results, totals } = await evaluate(
    { store: app.get(KnowledgeStore), embedder: app.get(PassageEmbedder), grounding: app.get(GroundingService), generator },
    set,
  );
  const embeddings = environment.AI_EMBEDDINGS_MODEL ? `, AI_EMBEDDINGS_MODEL=${environment.AI_EMBEDDINGS_MODEL}` : '';
  console.log(`Evaluation: ${set.articles.length} knowledge articles, ${set.cases.length} customer mails, AI_PROVIDER=${environment.AI_PROVIDER}${embeddings}\n`);
  console.log(formatEvaluation(results, totals));
  met = targetsMet(totals);
  console.log(met ? '\nall targets met' : '\nTARGETS MISSED');
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(met ? 0 : 1);
