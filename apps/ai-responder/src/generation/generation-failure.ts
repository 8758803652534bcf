import { APIConnectionError, APIConnectionTimeoutError } from 'openai';

/** Why a reply could not be generated, as the metrics count it; a small fixed set, so it can be a label. */
export type GenerationFailureReason = 'timeout' | 'unreachable' | 'rate_limited' | 'provider_error' | 'rejected' | 'invalid_reply' | 'other';

export const GENERATION_FAILURE_REASONS: readonly GenerationFailureReason[] = [
  'timeout',
  'unreachable',
  'rate_limited',
  'provider_error',
  'rejected',
  'invalid_reply',
  'other',
];

/** A failed generation that says why; its message is what the response row keeps as its last error. */
export class ReplyGenerationError extends Error {
  constructor(
    message: string,
    readonly reason: GenerationFailureReason,
  ) {
    super(message);
    this.name = 'ReplyGenerationError';
  }
}

export function generationFailureReason(error: unknown): GenerationFailureReason {
  return error instanceof ReplyGenerationError ? error.reason : 'other';
}

/** The reason of an error of the OpenAI client: no answer in time, no connection, or the HTTP status it got. */
export function providerFailureReason(error: unknown): GenerationFailureReason {
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIConnectionError) return 'unreachable';
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return 'other';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  return status >= 500 ? 'provider_error' : 'rejected';
}
