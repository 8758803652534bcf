import { describe, expect, it } from 'vitest';
import { decideRejectedLogin, isSmtpPaused, newestRevisionPerProject, type SmtpLoginRecord } from './smtp-login-decision.js';

const record = (change: Partial<SmtpLoginRecord> = {}): SmtpLoginRecord => ({ revision: 4, failures: 0, pausedAt: null, ...change });

describe('decideRejectedLogin', () => {
  it('counts rejected logins of one revision and pauses on the third, once', () => {
    const first = decideRejectedLogin(null, 4, 3);
    expect(first).toMatchObject({ action: 'count', record: { revision: 4, failures: 1, pausedAt: null } });
    const second = decideRejectedLogin(first.record, 4, 3);
    expect(second).toMatchObject({ action: 'count', record: { failures: 2 } });
    const third = decideRejectedLogin(second.record, 4, 3);
    expect(third).toMatchObject({ action: 'pause', record: { revision: 4, failures: 3 } });
    expect(third.record.pausedAt).toBeInstanceOf(Date);
    // A send that was under way when it paused: parked, no second announcement.
    expect(decideRejectedLogin(third.record, 4, 3)).toMatchObject({ action: 'paused-already', record: { failures: 4, pausedAt: third.record.pausedAt } });
  });

  it('starts from zero with a new revision, paused before or not', () => {
    expect(decideRejectedLogin(record({ failures: 2 }), 5, 3)).toMatchObject({ action: 'count', record: { revision: 5, failures: 1 } });
    expect(decideRejectedLogin(record({ failures: 3, pausedAt: new Date() }), 5, 3)).toMatchObject({ action: 'count', record: { revision: 5, failures: 1, pausedAt: null } });
    expect(decideRejectedLogin(null, 1, 1)).toMatchObject({ action: 'pause', record: { failures: 1 } });
  });

  it('does not count an attempt made with settings older than the ones counted', () => {
    const current = record({ revision: 6, failures: 2 });
    expect(decideRejectedLogin(current, 5, 3)).toEqual({ action: 'stale', record: current });
  });
});

describe('isSmtpPaused', () => {
  it('holds for the paused revision only; any newer revision resumes', () => {
    const paused = record({ failures: 3, pausedAt: new Date() });
    expect(isSmtpPaused(paused, 4)).toBe(true);
    expect(isSmtpPaused(paused, 3)).toBe(true);
    expect(isSmtpPaused(paused, 5)).toBe(false);
    expect(isSmtpPaused(record({ failures: 2 }), 4)).toBe(false);
    expect(isSmtpPaused(null, 1)).toBe(false);
  });
});

describe('newestRevisionPerProject', () => {
  it('keeps one login per project, the one of its newest revision, whatever the order', () => {
    const logins = [
      { projectId: 'a', revision: 3 },
      { projectId: 'b', revision: 7 },
      { projectId: 'a', revision: 5 },
      { projectId: 'a', revision: 4 },
    ];
    expect(newestRevisionPerProject(logins)).toEqual(new Map([['a', 5], ['b', 7]]));
  });

  it('has nothing to say for no sends', () => {
    expect(newestRevisionPerProject([]).size).toBe(0);
  });
});
