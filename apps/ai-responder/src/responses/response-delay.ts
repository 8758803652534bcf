import { MAX_RESPONSE_DELAY_SECONDS, type ResponseDelay } from '@ensoras/contracts';

/**
 * A whole number of seconds in [minSeconds, maxSeconds], both ends included, uniformly. Settings are validated by
 * channel-config; this still keeps a damaged snapshot from producing a negative or endless delay.
 */
export function pickResponseDelaySeconds(delay: ResponseDelay, random: () => number = Math.random): number {
  const min = clampSeconds(delay.minSeconds);
  const max = Math.max(min, clampSeconds(delay.maxSeconds));
  // random() is in [0, 1), so the floor lands on max at most.
  return min + Math.floor(random() * (max - min + 1));
}

function clampSeconds(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(MAX_RESPONSE_DELAY_SECONDS, Math.max(0, Math.floor(value)));
}
