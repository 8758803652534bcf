/** What mail-outbound remembers of a project's SMTP logins (SmtpLoginState, one row per project). */
export interface SmtpLoginRecord {
  /** The settings revision the count is for. */
  revision: number;
  /** Consecutive rejected logins at that revision. */
  failures: number;
  /** Set once the project's SMTP paused at that revision. */
  pausedAt: Date | null;
}

export type RejectedLoginDecision =
  /** Counted; below AUTH_FAILURES_BEFORE_PAUSE: the mail is parked and tried again after a back-off. */
  | { action: 'count'; record: SmtpLoginRecord }
  /** Counted, and the count reached the limit just now: pause the project's SMTP and tell (channel.email.paused). */
  | { action: 'pause'; record: SmtpLoginRecord }
  /** Paused already at this revision (a send that was under way when it paused): the mail is parked, nothing more. */
  | { action: 'paused-already'; record: SmtpLoginRecord }
  /**
   * The attempt used settings older than the ones counted: it says nothing about the current credentials. The mail
   * is parked and tried again with the current settings.
   */
  | { action: 'stale'; record: SmtpLoginRecord };

/**
 * A rejected login of the project's SMTP at `revision`. Counting is per revision: a new revision of the settings (a
 * fixed password, or POST …/resume) starts from zero, which is also what resumes a paused project.
 */
export function decideRejectedLogin(record: SmtpLoginRecord | null, revision: number, failuresBeforePause: number): RejectedLoginDecision {
  if (record && record.revision > revision) return { action: 'stale', record };
  if (record && record.revision === revision && record.pausedAt !== null) {
    return { action: 'paused-already', record: { ...record, failures: record.failures + 1 } };
  }
  const failures = record && record.revision === revision ? record.failures + 1 : 1;
  return failures >= failuresBeforePause
    ? { action: 'pause', record: { revision, failures, pausedAt: new Date() } }
    : { action: 'count', record: { revision, failures, pausedAt: null } };
}

/** Whether the project's SMTP is paused for settings at `revision`. */
export function isSmtpPaused(record: SmtpLoginRecord | null, revision: number): boolean {
  return record !== null && record.pausedAt !== null && record.revision >= revision;
}

/**
 * The logins that a group of sends accepted, as few as say the same: per project, the newest settings revision (a
 * login accepted at a revision starts over the count of every revision up to it, see SmtpLogins.recordAccepted).
 */
export function newestRevisionPerProject(logins: ReadonlyArray<{ projectId: string; revision: number }>): Map<string, number> {
  const newest = new Map<string, number>();
  for (const { projectId, revision } of logins) newest.set(projectId, Math.max(newest.get(projectId) ?? revision, revision));
  return newest;
}
