import { Module } from '@nestjs/common';
import { KnowledgeModule } from '../knowledge/knowledge.module.js';
import { GroundingService } from './grounding.service.js';
import { LexemeWeights } from './lexeme-weights.js';

/** What a reply may stand on: the project's knowledge base, looked up per question of the mail. */
@Module({
  imports: [KnowledgeModule],
  providers: [GroundingService, LexemeWeights],
  exports: [GroundingService],
})
export class GroundingModule {}
