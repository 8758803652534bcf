import { describe, expect, it } from 'vitest';
import { nextAuthFailures, pauseDue, type LoginOutcome } from './auth-failures.js';

const count = (outcomes: LoginOutcome[]) => outcomes.reduce(nextAuthFailures, 0);

describe('counting rejected logins', () => {
  it('pauses on the third rejection in a row by default, not before', () => {
    expect(pauseDue(count(['rejected', 'rejected']), 3)).toBe(false);
    expect(pauseDue(count(['rejected', 'rejected', 'rejected']), 3)).toBe(true);
    expect(pauseDue(count(['rejected']), 1)).toBe(true);
  });

  it('starts over after a login that worked', () => {
    expect(count(['rejected', 'rejected', 'logged-in', 'rejected', 'rejected'])).toBe(2);
  });

  it('keeps the count through failures that never reached the login (refused, timeout, TLS)', () => {
    expect(count(['rejected', 'not-reached', 'rejected', 'not-reached', 'not-reached', 'rejected'])).toBe(3);
    expect(count(['not-reached', 'not-reached', 'not-reached'])).toBe(0);
  });
});
