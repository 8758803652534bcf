import { APIConnectionTimeoutError, APIError } from 'openai';
import { createServiceRegistry, METRICS_OF_SERVICE } from '@ensoras/runtime';
import { describe, expect, it } from 'vitest';
import { providerFailureReason, ReplyGenerationError } from '../generation/generation-failure.js';
import { handoff, type GeneratedReply, type ReplyGenerator } from '../generation/reply-generator.js';
import type { ReplyPrompt } from '../generation/reply-prompt.js';
import { AiMetrics } from './ai-metrics.js';

/** A provider answering from a list: a reply, a handoff, or an error. */
function providerAnswering(answers: (GeneratedReply | Error)[]): ReplyGenerator {
  return {
    generate: async () => {
      const answer = answers.shift()!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const prompt = {} as ReplyPrompt;

describe('AiMetrics', () => {
  it('times each generation by outcome and counts failures by reason, passing results and errors through', async () => {
    const registry = createServiceRegistry('ai-responder');
    const metrics = new AiMetrics(registry);
    const rateLimited = new ReplyGenerationError('model at http://gateway: 429 slow down', 'rate_limited');
    const generator = metrics.measured(
      providerAnswering([{ action: 'reply', text: 'Hello', sources: [], reason: null }, handoff('no article'), rateLimited, new Error('boom')]),
    );
    expect(await generator.generate(prompt)).toMatchObject({ action: 'reply', text: 'Hello' });
    expect(await generator.generate(prompt)).toMatchObject({ action: 'handoff' });
    await expect(generator.generate(prompt)).rejects.toBe(rateLimited);
    await expect(generator.generate(prompt)).rejects.toThrow('boom');

    const text = await registry.metrics();
    for (const metric of METRICS_OF_SERVICE['ai-responder']!) expect(text).toContain(`# TYPE ${metric.name} `);
    expect(text).toMatch(/^ensoras_ai_generation_duration_seconds_count\{service="ai-responder",outcome="reply"\} 1$/m);
    expect(text).toMatch(/^ensoras_ai_generation_duration_seconds_count\{service="ai-responder",outcome="handoff"\} 1$/m);
    expect(text).toMatch(/^ensoras_ai_generation_duration_seconds_count\{service="ai-responder",outcome="failed"\} 2$/m);
    expect(text).toMatch(/^ensoras_ai_generation_failures_total\{reason="rate_limited",service="ai-responder"\} 1$/m);
    expect(text).toMatch(/^ensoras_ai_generation_failures_total\{reason="other",service="ai-responder"\} 1$/m);
    expect(text).toMatch(/^ensoras_ai_generation_failures_total\{reason="timeout",service="ai-responder"\} 0$/m);
  });

  it("names the reason of the OpenAI client's errors", () => {
    expect(providerFailureReason(new APIConnectionTimeoutError())).toBe('timeout');
    expect(providerFailureReason(APIError.generate(undefined, undefined, 'Connection error.', new Headers()))).toBe('unreachable');
    expect(providerFailureReason(APIError.generate(429, { error: {} }, 'slow down', new Headers()))).toBe('rate_limited');
    expect(providerFailureReason(APIError.generate(503, { error: {} }, 'overloaded', new Headers()))).toBe('provider_error');
    expect(providerFailureReason(APIError.generate(401, { error: {} }, 'bad key', new Headers()))).toBe('rejected');
    expect(providerFailureReason(new TypeError('bug'))).toBe('other');
  });
});
