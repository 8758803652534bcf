import type { Logger } from '@nestjs/common';

const RETRY_MS = 30_000;

/**
 * Runs a start-up re-sealing (`reseal` returns how many it sealed again) until it succeeds. The database may be away
 * at start; serving matters more, and the old forms still open meanwhile, so a failure is retried, never thrown.
 */
export async function resealUntilDone(logger: Logger, what: string, reseal: () => Promise<number>, done: (count: number) => string): Promise<void> {
  try {
    const resealed = await reseal();
    if (resealed > 0) logger.log(done(resealed));
  } catch (error) {
    logger.warn(`Re-sealing ${what} failed, retrying in ${RETRY_MS / 1000} s: ${error instanceof Error ? error.message : String(error)}`);
    setTimeout(() => void resealUntilDone(logger, what, reseal, done), RETRY_MS).unref();
  }
}
