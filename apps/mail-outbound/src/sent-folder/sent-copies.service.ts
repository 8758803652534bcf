import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ChannelSettingsSnapshot, ImapSettings } from '@ensoras/contracts';
import { classifyConnectionError, credentialSecret, imapClientOptions, withoutSecret, type ImapConnectionSettings } from '@ensoras/mail';
import { ChannelSettingsReplica } from '@ensoras/messaging';
import { quotedTable } from '@ensoras/persistence';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { Delivery } from '../delivery/delivery.entity.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { ImapPasswordUnreadableError, SentFolderLogins, type ImapChannel } from './imap-credentials.js';
import { ReceivingPauses } from './receiving-pauses.js';
import { afterFailedAppend, planSentCopy, type SentCopyPlan } from './sent-copy-decision.js';
import { withSentFolder } from './sent-folder-imap.js';

/** How often each replica looks for copies that are due (after a restart, a failure's pause, another's lapsed lease). */
const SWEEP_INTERVAL_MS = 5_000;
/** How long a claim holds the copies it took; a replica that dies frees them when it lapses. */
const LEASE_SECONDS = 120;
/**
 * No copy is started later than this into a claim: one search and one append, each bounded by the socket timeout,
 * then end well inside the lease, so no other replica can take a copy while it is being appended.
 */
const START_WITHIN_MS = 45_000;
const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 30_000;
/** Copies appended over one IMAP connection. */
const BATCH_SIZE = 20;
/** Projects whose copies one replica appends at the same time (one IMAP connection each). */
const MAX_PROJECTS_AT_ONCE = 4;
/**
 * How often copies waiting for a paused mailbox look again. Only a new revision of the settings (a fixed password,
 * a resume) ends the pause, and that brings them forward at once; this is the fallback.
 */
const PAUSED_RECHECK_MS = 10 * 60_000;

/** A pending copy as claimed. */
export interface ClaimedCopy {
  outboundMessageId: string;
  messageId: string;
  raw: Buffer;
  sentAt: Date;
  attempts: number;
}

type Settled =
  | { state: 'appended' | 'skipped'; detail: string }
  | { state: 'failed'; detail: string }
  /** Tried again later; `waited`: nothing was tried (receiving is paused), so the attempt is not counted. */
  | { state: 'pending'; detail: string; retryInMs: number; waited?: boolean };

/**
 * Appends each sent reply to the mailbox's Sent folder, after the send and apart from it: sending never waits for
 * IMAP. The delivery row settled `sent` keeps the exact bytes sent and `sent_copy = 'pending'`; this service claims
 * pending copies project by project (one short statement, FOR UPDATE SKIP LOCKED, with a lease, so two replicas
 * never take the same copy), logs in once per batch, and for each copy first searches the folder for its
 * Message-ID, so an append whose outcome was never recorded (a crash, a lapsed lease) is not made twice.
 */
@Injectable()
export class SentCopies implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SentCopies.name);
  private readonly running = new Map<string, Promise<void>>();
  /** Asked for again while running: another batch right after. */
  private readonly again = new Set<string>();
  /** Asked for while MAX_PROJECTS_AT_ONCE were running. */
  private readonly waiting = new Set<string>();
  private readonly aborted = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  /** The settings revision of each project last seen, to tell a new revision from the replica's first load. */
  private readonly revisions = new Map<string, number>();
  private sweeping = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channels: ChannelSettingsReplica,
    private readonly logins: SentFolderLogins,
    private readonly receiving: ReceivingPauses,
    private readonly metrics: DeliveryMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    for (const settings of this.channels.all()) this.revisions.set(settings.projectId, settings.revision);
    this.subscription = this.channels.changes.subscribe(({ projectId, settings }) => {
      // The first sight of a project is the replica loading (a start), not a change: back-offs hold across restarts.
      const seen = this.revisions.get(projectId);
      if (settings) this.revisions.set(projectId, settings.revision);
      else this.revisions.delete(projectId);
      if (settings && seen !== undefined && settings.revision > seen) void this.settingsChanged(projectId);
    });
  }

  /** Stops taking copies and closes open IMAP connections; what was claimed is freed when its lease lapses. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    this.aborted.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Whether a delivery settled `sent` now gets a copy (`pending`, appended after the settle commits) or none
   * (`skipped`, with the reason), with the metrics of a copy skipped at once.
   */
  planOnSent(settings: ChannelSettingsSnapshot | undefined): SentCopyPlan {
    const plan = planSentCopy(settings);
    if (plan.state === 'skipped') this.metrics.recordSentCopy('skipped');
    return plan;
  }

  /** Starts appending the project's due copies, unless that is running already (then it runs again after). */
  appendSoon(projectId: string): void {
    if (this.stopped) return;
    if (this.running.has(projectId)) {
      this.again.add(projectId);
      return;
    }
    if (this.running.size >= MAX_PROJECTS_AT_ONCE) {
      this.waiting.add(projectId);
      return;
    }
    this.waiting.delete(projectId);
    const run = this.appendDue(projectId)
      .catch((error: unknown) => this.logger.warn(`Sent copies of project ${projectId} wait for the next sweep: ${String(error)}`))
      .finally(() => {
        this.running.delete(projectId);
        if (this.again.delete(projectId)) this.appendSoon(projectId);
        for (const next of [...this.waiting]) {
          if (this.running.size >= MAX_PROJECTS_AT_ONCE) break;
          this.appendSoon(next);
        }
      });
    this.running.set(projectId, run);
  }

  /** New settings may log in where the old ones could not (or were paused): what waits for a retry goes now. */
  private async settingsChanged(projectId: string): Promise<void> {
    if (this.stopped) return;
    try {
      const [, broughtForward] = (await this.dataSource.query(
        `UPDATE ${this.table()} SET "sent_copy_next_at" = now()
          WHERE "project_id" = $1 AND "sent_copy" = 'pending' AND "sent_copy_next_at" > now()`,
        [projectId],
      )) as [unknown, number];
      if (broughtForward > 0) this.appendSoon(projectId);
    } catch (error) {
      this.logger.warn(`Sent copies of project ${projectId} could not be brought forward: ${String(error)}`);
    }
  }

  /** Every replica, every few seconds: the projects with copies that are due and held by nobody. */
  async sweep(): Promise<void> {
    if (this.stopped || this.sweeping) return;
    this.sweeping = true;
    try {
      const rows = (await this.dataSource.query(
        `SELECT DISTINCT "project_id" FROM ${this.table()}
          WHERE "sent_copy" = 'pending' AND "sent_copy_next_at" <= now()
            AND ("sent_copy_lease_until" IS NULL OR "sent_copy_lease_until" < now())
          LIMIT 100`,
      )) as Array<{ project_id: string }>;
      for (const row of rows) this.appendSoon(row.project_id);
    } catch (error) {
      this.logger.warn(`Could not look for pending Sent copies: ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Takes up to `limit` due copies of the project that nobody holds, for `LEASE_SECONDS`, under the token `claim`.
   * One statement: rows another transaction is claiming right now are skipped, not waited for.
   */
  async claim(projectId: string, claim: string, limit: number): Promise<ClaimedCopy[]> {
    const table = this.table();
    const [rows] = (await this.dataSource.query(
      `WITH due AS (
         SELECT "outbound_message_id" FROM ${table}
          WHERE "project_id" = $1 AND "sent_copy" = 'pending' AND "sent_copy_next_at" <= now()
            AND ("sent_copy_lease_until" IS NULL OR "sent_copy_lease_until" < now())
          ORDER BY "sent_at"
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE ${table} AS d
          SET "sent_copy_lease_until" = now() + make_interval(secs => $3), "sent_copy_claim" = $4
         FROM due WHERE d."outbound_message_id" = due."outbound_message_id"
       RETURNING d."outbound_message_id", d."message_id", d."sent_copy_raw", d."sent_at", d."sent_copy_attempts"`,
      [projectId, limit, LEASE_SECONDS, claim],
    )) as [Array<{ outbound_message_id: string; message_id: string; sent_copy_raw: Buffer | null; sent_at: Date | null; sent_copy_attempts: number }>, number];
    return rows
      .map((row) => ({
        outboundMessageId: row.outbound_message_id,
        messageId: row.message_id,
        raw: row.sent_copy_raw ?? Buffer.alloc(0),
        sentAt: row.sent_at ?? new Date(),
        attempts: row.sent_copy_attempts,
      }))
      .sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }

  private async appendDue(projectId: string): Promise<void> {
    await this.channels.whenReady();
    for (;;) {
      if (this.stopped) return;
      const claim = randomUUID();
      const copies = await this.claim(projectId, claim, BATCH_SIZE);
      if (copies.length === 0) return;
      await this.appendCopies(projectId, claim, copies);
      // A full batch: more may be due. Copies left over when time ran out are due again at once.
      if (copies.length < BATCH_SIZE) return;
    }
  }

  private async appendCopies(projectId: string, claim: string, copies: ClaimedCopy[]): Promise<void> {
    const settings = this.channels.get(projectId);
    const plan = planSentCopy(settings);
    if (plan.state === 'skipped') {
      for (const copy of copies) await this.settle(copy, claim, { state: 'skipped', detail: plan.reason });
      return;
    }
    // planSentCopy said the channel has IMAP settings.
    const channel = settings as ChannelSettingsSnapshot & ImapChannel;
    let login: ImapConnectionSettings;
    try {
      login = await this.logins.of(channel);
    } catch (error) {
      if (!(error instanceof ImapPasswordUnreadableError)) {
        // No access token yet, or a revoked grant (our own sentences, no secret): tried again later like a server
        // that is down.
        const reason = error instanceof Error ? error.message : 'No IMAP credential to log in with.';
        for (const copy of copies) {
          const next = afterFailedAppend(copy.attempts + 1, false);
          await this.settle(copy, claim, next.state === 'failed' ? { state: 'failed', detail: reason } : { ...next, detail: reason });
        }
        return;
      }
      const detail =
        "The stored IMAP password cannot be opened with this service's SECRETS_KEY; every service must use the same key. Save the password again after fixing it.";
      for (const copy of copies) await this.settle(copy, claim, { state: 'failed', detail });
      return;
    }

    const paused = await this.receiving.reasonAt(projectId, channel.revision);
    if (paused) {
      const detail = `Waiting: receiving is paused after rejected logins, so the mailbox is not logged in to (${paused})`;
      for (const copy of copies) await this.settle(copy, claim, { state: 'pending', detail, retryInMs: PAUSED_RECHECK_MS, waited: true });
      return;
    }

    const started = Date.now();
    const settled = new Set<string>();
    // Recorded together once the folder is left (or the connection failed), in one statement: a copy appended and
    // not recorded (a crash meanwhile) is found by the search of whoever claims it next, and not appended twice.
    const appended: Array<{ copy: ClaimedCopy; detail: string }> = [];
    try {
      const options = imapClientOptions(login, { timeoutMs: CONNECT_TIMEOUT_MS, socketTimeoutMs: SOCKET_TIMEOUT_MS });
      const { found } = await withSentFolder(
        options,
        async (folder) => {
          for (const copy of copies) {
            if (this.stopped || Date.now() - started > START_WITHIN_MS) return;
            const there = await folder.holds(copy.messageId, copy.sentAt);
            if (!there) await folder.append(copy.raw, copy.sentAt);
            settled.add(copy.outboundMessageId);
            appended.push({ copy, detail: there ? `Found in ${folder.path} already` : `Appended to ${folder.path}` });
          }
        },
        this.aborted.signal,
      ).finally(() => this.settleTogether(appended, claim, 'appended'));
      if (!found) {
        const detail = 'The mailbox has no Sent folder (none marked SPECIAL-USE \\Sent, none named as one); none is created.';
        await this.settleTogether(copies.map((copy) => ({ copy, detail })), claim, 'skipped');
        return;
      }
    } catch (error) {
      // Shutting down: the lease lapses, and whoever takes the copies next searches before appending.
      if (this.stopped) return;
      const reason = this.describe(error, channel.imap, credentialSecret(login));
      for (const copy of copies) {
        if (settled.has(copy.outboundMessageId)) continue;
        const next = afterFailedAppend(copy.attempts + 1, false);
        await this.settle(copy, claim, next.state === 'failed' ? { state: 'failed', detail: reason } : { ...next, detail: reason });
      }
      this.logger.warn(`Sent copies of project ${projectId} not appended: ${reason}`);
      return;
    }
    // Copies not started before the time ran out: free them for the next claim.
    await this.dataSource.query(
      `UPDATE ${this.table()} SET "sent_copy_lease_until" = NULL, "sent_copy_claim" = NULL WHERE "sent_copy_claim" = $1 AND "sent_copy" = 'pending'`,
      [claim],
    );
  }

  /** Records a final outcome of several copies, as settle() does, in one statement: those this claim still holds. */
  private async settleTogether(copies: ReadonlyArray<{ copy: ClaimedCopy; detail: string }>, claim: string, state: 'appended' | 'skipped'): Promise<void> {
    if (copies.length === 0) return;
    const [rows] = (await this.dataSource.query(
      `UPDATE ${this.table()} AS d
          SET "sent_copy" = $4, "sent_copy_detail" = v.detail, "sent_copy_next_at" = NULL, "sent_copy_raw" = NULL,
              "sent_copy_settled_at" = now(), "sent_copy_lease_until" = NULL, "sent_copy_claim" = NULL
         FROM unnest($2::text[], $3::text[]) AS v(outbound_message_id, detail)
        WHERE d."outbound_message_id" = v.outbound_message_id AND d."sent_copy_claim" = $1 AND d."sent_copy" = 'pending'
        RETURNING d."outbound_message_id"`,
      [claim, copies.map(({ copy }) => copy.outboundMessageId), copies.map(({ detail }) => detail), state],
    )) as [Array<{ outbound_message_id: string }>, number];
    const recorded = new Set(rows.map((row) => row.outbound_message_id));
    for (const { copy } of copies) {
      if (recorded.has(copy.outboundMessageId)) this.metrics.recordSentCopy(state);
      else this.logger.warn(`Sent copy of mail ${copy.outboundMessageId}: the claim lapsed before its outcome (${state}) was recorded`);
    }
  }

  /** Records a copy's outcome, only while this claim still holds it. A final state drops the bytes. */
  private async settle(copy: ClaimedCopy, claim: string, outcome: Settled): Promise<void> {
    const retrying = outcome.state === 'pending';
    const [, affected] = (await this.dataSource.query(
      `UPDATE ${this.table()}
          SET "sent_copy" = $3, "sent_copy_detail" = $4,
              "sent_copy_attempts" = "sent_copy_attempts" + $5,
              "sent_copy_next_at" = CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(secs => $6::int / 1000.0) END,
              "sent_copy_raw" = CASE WHEN $3 = 'pending' THEN "sent_copy_raw" ELSE NULL END,
              "sent_copy_settled_at" = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END,
              "sent_copy_lease_until" = NULL, "sent_copy_claim" = NULL
        WHERE "outbound_message_id" = $1 AND "sent_copy_claim" = $2 AND "sent_copy" = 'pending'`,
      [copy.outboundMessageId, claim, outcome.state, outcome.detail, attemptCounted(outcome) ? 1 : 0, retrying ? outcome.retryInMs : null],
    )) as [unknown, number];
    if (affected !== 1) {
      this.logger.warn(`Sent copy of mail ${copy.outboundMessageId}: the claim lapsed before its outcome (${outcome.state}) was recorded`);
      return;
    }
    if (!retrying) this.metrics.recordSentCopy(outcome.state);
    if (outcome.state === 'failed') this.logger.warn(`Sent copy of mail ${copy.outboundMessageId} failed for good: ${outcome.detail}`);
  }

  /** Our own sentence for what went wrong, never the server's text or the password. */
  private describe(error: unknown, imap: ImapSettings, password: string): string {
    const classified = classifyConnectionError(error, 'imap', imap);
    const responseCode = typeof error === 'object' && error !== null ? (error as { serverResponseCode?: unknown }).serverResponseCode : undefined;
    const code = typeof responseCode === 'string' && /^[A-Z-]{2,40}$/.test(responseCode) ? ` (${responseCode})` : '';
    const own = error instanceof Error && error.name === 'SentFolderSearchRefused' ? ` ${error.message}.` : '';
    return withoutSecret(`${classified.message}${code}${own}`, password);
  }

  private table(): string {
    return quotedTable(this.dataSource, Delivery);
  }
}

/** Whether an outcome used up an attempt: a failed try did; an outcome for good, or a wait without a try, did not. */
function attemptCounted(outcome: Settled): boolean {
  return outcome.state === 'failed' || (outcome.state === 'pending' && !outcome.waited);
}
