/** Reconnect delays: 1 s, 2 s, 4 s ... capped at 60 s, each with ±20 % jitter so many mailboxes do not reconnect in step. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
const JITTER = 0.2;

/** Delay before reconnect attempt `failures` (1 = after the first failure). `random` in [0, 1). */
export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exponent);
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  return Math.round(Math.min(BACKOFF_MAX_MS, jittered));
}
