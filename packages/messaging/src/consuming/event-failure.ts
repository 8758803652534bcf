/**
 * Thrown by a handler for an event that no retry can fix: a payload that fails validation, an event version this
 * service does not know. The transport dead-letters it at once, with the message as the reason.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/**
 * - `transient`: a dependency is unavailable (database or NATS down, a timeout); retried for as long as it lasts.
 * - `permanent`: the event itself is wrong; dead-lettered at once.
 * - `unknown`: anything else (a bug, a conflict); retried a few times, then dead-lettered.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

/** Socket and DNS errors of a dependency that is down or unreachable. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs that a later try outlives: connection exceptions (class 08), the server shutting down or
 * starting (57P01-57P03), too many connections (53300), serialization failure and deadlock (40001, 40P01).
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|40001|40P01|55P03)$/;

/** nats.js error names that mean the server is not reachable right now. */
const UNAVAILABLE_NATS_ERRORS = new Set([
  'TimeoutError',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'NoResponders',
  'JetStreamNotEnabled',
]);

/** Messages of pg, pg-pool and TypeORM when the connection is gone or never came. */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection ended unexpectedly/i,
  /client has encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /DataSource is not initialized|connection .* is not established/i,
  /\btimed? ?out\b|\btimeout\b/i,
];

/** Classifies why a handler failed; looks through `cause`, TypeORM's `driverError` and AggregateError's `errors`. */
export function classifyEventFailure(error: unknown): FailureKind {
  if (someInChain(error, isPermanentMarker)) return 'permanent';
  if (someInChain(error, isUnavailable)) return 'transient';
  return 'unknown';
}

/** True for the kinds of error that mean "a dependency is down", wherever they sit in the error's chain. */
export function isDependencyUnavailable(error: unknown): boolean {
  return someInChain(error, isUnavailable);
}

function isPermanentMarker(error: Record<string, unknown>): boolean {
  return error instanceof PermanentEventError || error.name === 'PermanentEventError';
}

function isUnavailable(error: Record<string, unknown>): boolean {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  if (code && TRANSIENT_SQLSTATE.test(code)) return true;
  if (typeof error.name === 'string' && UNAVAILABLE_NATS_ERRORS.has(error.name)) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

function someInChain(error: unknown, test: (error: Record<string, unknown>) => boolean, depth = 0): boolean {
  if (depth > 5 || !error || typeof error !== 'object') return false;
  const candidate = error as Record<string, unknown>;
  if (test(candidate)) return true;
  const nested = [candidate.cause, candidate.driverError, ...(Array.isArray(candidate.errors) ? candidate.errors : [])];
  return nested.some((inner) => inner !== error && someInChain(inner, test, depth + 1));
}

/** Nest's exception layer may hand errors back as plain `{ status, message }` objects. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describeError).join('; ') || 'AggregateError';
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return typeof error === 'string' ? error : JSON.stringify(error);
}
