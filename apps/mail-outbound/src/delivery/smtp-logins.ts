import { Inject, Injectable } from '@nestjs/common';
import { channelPausedEvent } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import type { EntityManager } from 'typeorm';
import { decideRejectedLogin, isSmtpPaused, type RejectedLoginDecision } from './smtp-login-decision.js';
import { SmtpLoginState } from './smtp-login-state.entity.js';

export const SMTP_LOGIN_OPTIONS = Symbol('SMTP_LOGIN_OPTIONS');

/**
 * The project's SmtpLoginState row while its SMTP is paused for settings at `revision` (isSmtpPaused in SQL), for
 * statements that decide without loading the row. The arguments are the statement's parameter placeholders.
 */
export function smtpPausedWhere(projectId: string, revision: string): string {
  return `project_id = ${projectId} AND paused_at IS NOT NULL AND revision >= ${revision}`;
}

/** The row whose count of rejected logins a login accepted at `revision` starts over (see recordAccepted). */
export function loginCountToResetWhere(projectId: string, revision: string): string {
  return `project_id = ${projectId} AND revision <= ${revision} AND paused_at IS NULL AND failures > 0`;
}
export interface SmtpLoginOptions {
  /** AUTH_FAILURES_BEFORE_PAUSE. */
  failuresBeforePause: number;
}

/** Reads and writes SmtpLoginState, always inside the caller's transaction. */
@Injectable()
export class SmtpLogins {
  constructor(
    private readonly outbox: Outbox,
    @Inject(SMTP_LOGIN_OPTIONS) private readonly options: SmtpLoginOptions,
  ) {}

  async isPaused(manager: EntityManager, projectId: string, revision: number): Promise<boolean> {
    return isSmtpPaused(await manager.findOneBy(SmtpLoginState, { projectId }), revision);
  }

  /**
   * Counts a rejected login (the project's row locked, so replicas count one after another) and, when the count
   * reaches the limit, pauses: channel.email.paused goes into the outbox in the same transaction, once per revision.
   */
  async recordRejected(manager: EntityManager, projectId: string, revision: number, reason: string): Promise<RejectedLoginDecision> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(SmtpLoginState)
      .values({ projectId, revision, failures: 0, reason: null, pausedAt: null })
      .orIgnore()
      .execute();
    const stored = await manager.findOneOrFail(SmtpLoginState, { where: { projectId }, lock: { mode: 'pessimistic_write' } });
    const decision = decideRejectedLogin(stored, revision, this.options.failuresBeforePause);
    if (decision.action === 'stale') return decision;
    await manager.update(SmtpLoginState, { projectId }, { ...decision.record, reason });
    if (decision.action === 'pause') {
      await this.outbox.add(
        manager,
        channelPausedEvent({
          projectId,
          direction: 'smtp',
          revision,
          reason,
          failures: decision.record.failures,
          pausedAt: decision.record.pausedAt!.toISOString(),
        }),
      );
    }
    return decision;
  }

  /** A login that worked starts the count over (not a pause: once announced, only a new revision ends it). */
  async recordAccepted(manager: EntityManager, projectId: string, revision: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(SmtpLoginState)
      .set({ failures: 0, reason: null })
      .where(loginCountToResetWhere(':projectId', ':revision'), { projectId, revision })
      .execute();
  }
}
