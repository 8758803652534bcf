/**
 * When the outbox relay polls next. A commit through Outbox.transaction() (or publishSoon, redrive) kicks the relay at
 * once, so the poll only finds what no kick announced: rows committed by a replica that died before publishing them,
 * rows left by a crash, retries that came due. A relay that finds nothing therefore polls less and less often, up to
 * IDLE_POLL_MS, so that a service that publishes nothing does not run a transaction twice a second; anything it
 * finds, and a NATS outage, bring it back to BUSY_POLL_MS. A retry it recorded is polled for when it is due.
 */

/** The interval while rows come (and while NATS is unavailable): as before the back-off. */
export const BUSY_POLL_MS = 500;
/** The longest interval of an idle relay: the bound on how late a row that no kick announced is published. */
export const IDLE_POLL_MS = 5_000;

export interface DrainOutcome {
  /** Rows the drain claimed. */
  claimed: number;
  /** NATS was unavailable (or the drain failed): try again soon. */
  paused: boolean;
}

/** The interval after a drain, from the one before it: doubled while nothing is found, up to IDLE_POLL_MS. */
export function nextPollInterval(previousMs: number, outcome: DrainOutcome): number {
  if (outcome.paused || outcome.claimed > 0) return BUSY_POLL_MS;
  return Math.min(Math.max(previousMs, BUSY_POLL_MS) * 2, IDLE_POLL_MS);
}

/** How long to wait for the next poll: the interval, or less when a recorded retry comes due before it. */
export function pollDelay(intervalMs: number, now: number, retryDueAt: number | undefined): number {
  if (retryDueAt === undefined) return intervalMs;
  return Math.max(0, Math.min(intervalMs, retryDueAt - now));
}
