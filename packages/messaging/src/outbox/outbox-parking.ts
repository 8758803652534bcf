import { STREAMS } from '@ensoras/contracts';
import { isDependencyUnavailable } from '../consuming/event-failure.js';

export interface OutboxRetryPolicy {
  /** Failed publications of one row (NATS outages not counted) before it is parked. */
  maxAttempts: number;
  /** Wait before the next try after the n-th failure (the last value repeats). */
  backoffMs: number[];
}

export const DEFAULT_OUTBOX_RETRY: OutboxRetryPolicy = { maxAttempts: 5, backoffMs: [1_000, 5_000, 15_000, 30_000] };

/**
 * What the relay does with a row whose publication failed:
 * - `pause`: NATS itself is unavailable; nothing can be published, so the relay stops the batch and tries again
 *   later. The row is not at fault and its attempts are not counted.
 * - `park`: the row can never be published (too large, invalid subject) or failed `maxAttempts` times; it is
 *   moved aside so that the rows after it go out.
 * - `retry`: try this row again after `delayMs`; the rows of its project wait behind it to keep their order.
 */
export type PublishFailureDecision =
  | { action: 'pause' }
  | { action: 'park'; attempts: number }
  | { action: 'retry'; attempts: number; delayMs: number };

export function decidePublishFailure(
  error: unknown,
  previousAttempts: number,
  subject: string,
  policy: OutboxRetryPolicy = DEFAULT_OUTBOX_RETRY,
): PublishFailureDecision {
  // No stream captures such a subject: JetStream's "no responders" would otherwise look like an outage for ever.
  if (isUnpublishable(error) || !(subject.split('.')[0] in STREAMS)) return { action: 'park', attempts: previousAttempts + 1 };
  if (isDependencyUnavailable(error)) return { action: 'pause' };
  const attempts = previousAttempts + 1;
  if (attempts >= policy.maxAttempts) return { action: 'park', attempts };
  return { action: 'retry', attempts, delayMs: policy.backoffMs[Math.min(attempts - 1, policy.backoffMs.length - 1)] };
}

/**
 * Errors no retry can fix: the payload exceeds the server's max_payload (checked by the client) or the stream's
 * max_msg_size (JetStream API error 10054), or the subject is not a valid NATS subject.
 */
export function isUnpublishable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (name === 'InvalidSubjectError' || /invalid subject/i.test(text)) return true;
  if (/max_payload|maximum payload|message size exceeds maximum|payload .*too large/i.test(text)) return true;
  return (error as { code?: unknown }).code === 10054;
}
