import { Inject, Injectable } from '@nestjs/common';
import { AI_GENERATION_DURATION, AI_GENERATION_FAILURES, METRICS_REGISTRY } from '@ensoras/runtime';
import { Counter, Histogram, type Registry } from 'prom-client';
import { GENERATION_FAILURE_REASONS, generationFailureReason } from '../generation/generation-failure.js';
import type { ReplyGenerator } from '../generation/reply-generator.js';

const OUTCOMES = ['reply', 'handoff', 'failed'] as const;

/** How long replies take to write and why they fail, on the registry /metrics serves. */
@Injectable()
export class AiMetrics {
  private readonly duration: Histogram<'outcome'>;
  private readonly failures: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = new Histogram({ ...AI_GENERATION_DURATION, registers: [registry] });
    this.failures = new Counter({ ...AI_GENERATION_FAILURES, registers: [registry] });
    // Present from the start, so that rate() and the alert on failures have a beginning.
    for (const outcome of OUTCOMES) this.duration.zero({ outcome });
    for (const reason of GENERATION_FAILURE_REASONS) this.failures.inc({ reason }, 0);
  }

  /** The generator, with each of its generations timed by outcome and each failure counted by reason. */
  measured(generator: ReplyGenerator): ReplyGenerator {
    return {
      generate: async (prompt) => {
        const stop = this.duration.startTimer();
        try {
          const reply = await generator.generate(prompt);
          stop({ outcome: reply.action });
          return reply;
        } catch (error) {
          stop({ outcome: 'failed' });
          this.failures.inc({ reason: generationFailureReason(error) });
          throw error;
        }
      },
    };
  }
}
