/**
 * How a watcher's session ended, as far as the credentials go: it logged in (whatever broke afterwards), the server
 * (or the credential resolver) rejected the credentials, or it never got as far as logging in (refused, timed out,
 * TLS, a key that cannot open the password).
 */
export type LoginOutcome = 'logged-in' | 'rejected' | 'not-reached';

/**
 * Consecutive rejected logins. A login that works starts the count over; a session that never reached the login
 * leaves it as it is, since it says nothing about the credentials (a password revoked during a network outage is
 * still paused after N rejections, not N rejections in a row without a timeout between them).
 */
export function nextAuthFailures(failures: number, outcome: LoginOutcome): number {
  switch (outcome) {
    case 'logged-in':
      return 0;
    case 'rejected':
      return failures + 1;
    case 'not-reached':
      return failures;
  }
}

/** Whether this many consecutive rejections pause the direction (AUTH_FAILURES_BEFORE_PAUSE). */
export function pauseDue(failures: number, failuresBeforePause: number): boolean {
  return failures >= failuresBeforePause;
}
