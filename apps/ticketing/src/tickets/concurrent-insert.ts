import { QueryFailedError, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';

/** True for PostgreSQL's unique_violation (23505), optionally only on the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (constraint === undefined || driverError.constraint === constraint);
}

/**
 * Inserts inside the caller's transaction. A unique violation means another replica recorded the same thing at the
 * same moment: it is rethrown with `conflict` as the message, on purpose, so the transaction rolls back and JetStream
 * redelivers the event; the retry then sees the other's committed rows and decides again.
 */
export async function insertOrRetry<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  values: T | T[],
  conflict: string,
): Promise<void> {
  try {
    await m.insert(target, values as never);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Error(`${conflict}; retrying`, { cause: error });
    throw error;
  }
}
