import { classifyConnectionError, type ConnectionTarget, type MailProtocol } from './connection-error.js';

/**
 * Thrown where credentials are rejected before any server is asked, e.g. by a credential resolver whose OAuth grant
 * was revoked. Counts as an authentication failure like a server's "wrong password"; its message must be our own
 * sentence, free of secrets, since it is shown to the admin as the reason (e.g. "the Google grant was revoked:
 * connect the mailbox again").
 */
export class AuthenticationRejectedError extends Error {
  /** The flag imapflow sets on a failed LOGIN; classifyConnectionError reads it as auth_failed. */
  readonly authenticationFailed = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthenticationRejectedError';
  }
}

/**
 * Why a login failed when it failed on the credentials (a wrong or revoked password, a revoked grant), as the
 * admin reads it; null for anything else (refused, timed out, TLS, ...), which only a retry can tell more about.
 * Never the server's own words and never the password: our sentence, or the classifier's message and hint.
 */
export function authenticationFailureReason(error: unknown, protocol: MailProtocol, target?: ConnectionTarget): string | null {
  const rejected = findRejection(error, 0);
  if (rejected) return rejected.message;
  const classified = classifyConnectionError(error, protocol, target);
  return classified.code === 'auth_failed' ? `${classified.message} ${classified.hint}`.trim() : null;
}

function findRejection(error: unknown, depth: number): AuthenticationRejectedError | null {
  if (depth > 5 || typeof error !== 'object' || error === null) return null;
  if (error instanceof AuthenticationRejectedError) return error;
  const candidate = error as Record<string, unknown>;
  for (const inner of [candidate.cause, ...(Array.isArray(candidate.errors) ? candidate.errors : [])]) {
    const found = inner !== error ? findRejection(inner, depth + 1) : null;
    if (found) return found;
  }
  return null;
}
