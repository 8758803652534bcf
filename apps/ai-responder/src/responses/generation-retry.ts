/** Attempts at generating one response before it is given up as failed. */
export const MAX_GENERATION_ATTEMPTS = 5;

/** Waits after the 1st, 2nd and later failed attempts: a provider outage should not be hammered. */
const RETRY_DELAYS_SECONDS = [30, 120, 600];

export type RetryPlan = { status: 'scheduled'; retryInSeconds: number } | { status: 'failed' };

/** What happens to a response whose `attempts`-th generation failed. */
export function planRetry(attempts: number): RetryPlan {
  if (attempts >= MAX_GENERATION_ATTEMPTS) return { status: 'failed' };
  const index = Math.min(Math.max(attempts, 1), RETRY_DELAYS_SECONDS.length) - 1;
  return { status: 'scheduled', retryInSeconds: RETRY_DELAYS_SECONDS[index]! };
}
