import { Module } from '@nestjs/common';
import { KnowledgeModule } from '../knowledge/knowledge.module.js';
import { GroundingService } from './grounding.service.js';
import { LexemeWeights } from './lexeme-weights.js';
import { SupportVocabulary } from './support-vocabulary.js';

/** What a reply may stand on: the project's knowledge base, looked up per question of the mail. */
@Module({
  imports: [KnowledgeModule],
  providers: [GroundingService, LexemeWeights, SupportVocabulary],
  exports: [GroundingService],
})
export class GroundingModule {}
