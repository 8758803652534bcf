import { type DynamicModule, Logger, Module } from '@nestjs/common';
import type { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { DEFAULT_ANSWER_THRESHOLDS } from '../grounding/answer-plan.js';
import { AiMetrics } from '../metrics/ai-metrics.js';
import { LocalReplyGenerator } from './local-reply.generator.js';
import { OpenAiReplyGenerator } from './openai-reply.generator.js';
import { PromptBuilder } from './prompt-builder.js';
import { REPLY_GENERATOR, type ReplyGenerator } from './reply-generator.js';

/** The prompt builder and the configured provider behind REPLY_GENERATOR, measured (needs the global MetricsModule). */
@Module({})
export class GenerationModule {
  static forRoot(environment: AiResponderEnvironment): DynamicModule {
    return {
      module: GenerationModule,
      providers: [
        PromptBuilder,
        { provide: REPLY_GENERATOR, useFactory: (metrics: AiMetrics) => metrics.measured(createReplyGenerator(environment)), inject: [AiMetrics] },
      ],
      exports: [PromptBuilder, REPLY_GENERATOR],
    };
  }
}

export function createReplyGenerator(environment: AiResponderEnvironment): ReplyGenerator {
  const logger = new Logger('ReplyGenerator');
  const provider = environment.AI_PROVIDER ?? 'local';
  if (provider === 'local') {
    logger.log('AI provider: local (answers from the knowledge base or hands over; set AI_PROVIDER=openai for a model)');
    return new LocalReplyGenerator({ ...DEFAULT_ANSWER_THRESHOLDS, minCoverage: environment.AI_ANSWER_MIN_CONFIDENCE ?? DEFAULT_ANSWER_THRESHOLDS.minCoverage });
  }
  if (provider !== 'openai') throw new Error(`AI_PROVIDER must be "local" or "openai", not "${String(provider)}"`);
  // The environment is validated at start; this repeats it for callers that build one by hand (tests, scripts).
  for (const name of ['AI_BASE_URL', 'AI_API_KEY', 'AI_MODEL'] as const) {
    if (!environment[name]?.trim()) throw new Error(`${name} is required when AI_PROVIDER=openai`);
  }
  const generator = new OpenAiReplyGenerator({
    baseUrl: environment.AI_BASE_URL!,
    apiKey: environment.AI_API_KEY!,
    model: environment.AI_MODEL!,
    timeoutMs: environment.AI_TIMEOUT_MS ?? 60_000,
  });
  logger.log(`AI provider: openai-compatible, ${generator.target}`);
  return generator;
}
