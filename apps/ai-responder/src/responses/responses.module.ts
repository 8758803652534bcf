import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { ConversationModule } from '../conversation/conversation.module.js';
import { GenerationModule } from '../generation/generation.module.js';
import { GroundingModule } from '../grounding/grounding.module.js';
import { LoopBreakerModule } from '../loop-breaker/loop-breaker.module.js';
import { DueResponsesProcessor } from './due-responses.processor.js';
import { PendingResponse } from './pending-response.entity.js';
import { ResponseScheduler } from './response-scheduler.service.js';
import { TicketMessageController } from './ticket-message.controller.js';
import { ANSWER_POLICY } from './answerability.js';
import { TicketMessageIntake } from './ticket-message-intake.service.js';

/** Scheduling replies for customer messages and proposing them when due. */
@Module({})
export class ResponsesModule {
  static forRoot(environment: AiResponderEnvironment): DynamicModule {
    return {
      module: ResponsesModule,
      imports: [TypeOrmModule.forFeature([PendingResponse]), ConversationModule, GenerationModule.forRoot(environment), GroundingModule, LoopBreakerModule],
      controllers: [TicketMessageController],
      providers: [
        TicketMessageIntake,
        ResponseScheduler,
        DueResponsesProcessor,
        { provide: ANSWER_POLICY, useValue: { maxAgeHours: environment.MAX_ANSWERABLE_AGE_HOURS } },
      ],
    };
  }
}
