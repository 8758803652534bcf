import { Logger } from '@nestjs/common';
import { importSinceOf, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import { authenticationFailureReason, classifyConnectionError, credentialSecret, imapClientOptions, withoutSecret, type MailCredential } from '@ensoras/mail';
import { ImapFlow } from 'imapflow';
import { CheckpointStore, type StartingPoint } from '../checkpoints/checkpoint.store.js';
import type { PendingMail } from '../mail-import/import-batches.js';
import { MailImporter, type ImportRange, type MailboxContext } from '../mail-import/mail-importer.js';
import { inboundChannelOf } from '../mail-import/inbound-channel.js';
import { nextAuthFailures, pauseDue, type LoginOutcome } from './auth-failures.js';
import { imapConnectSlots } from './connect-slots.js';
import { imapSecureContext } from './imap-tls-context.js';
import type { RecordedPause } from './mailbox-pauses.js';
import { reconnectDelayMs } from './reconnect-backoff.js';

export type MailboxState = 'connecting' | 'importing' | 'idle' | 'polling' | 'backoff' | 'paused';

/** What the admin listing (GET /v1/mailboxes) shows of one watched mailbox: never a password, never mail content. */
export interface MailboxStatus {
  projectId: string;
  mailbox: string;
  server: string;
  revision: number;
  state: MailboxState;
  /** IDLE or, for servers without it, polling every POLL_INTERVAL_MS. */
  mode: 'idle' | 'polling' | null;
  connectedSince: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  nextAttemptAt: string | null;
  lastImportAt: string | null;
  importedCount: number;
  quarantinedCount: number;
  /** Mail found waiting by the running import and not finished yet. */
  waitingCount: number;
}

/** A channel snapshot that has IMAP settings, i.e. one a watcher can run for. */
export type WatchableChannel = ChannelSettingsSnapshot & { imap: NonNullable<ChannelSettingsSnapshot['imap']> };

export interface WatcherDependencies {
  importer: MailImporter;
  checkpoints: CheckpointStore;
  /**
   * The password or OAuth2 access token to log in with (ImapCredentials); asked at every connect, so a new key,
   * password or token needs no restart. Throws when there is none to use.
   */
  credential: () => Promise<MailCredential>;
  /** How often to check a server without IDLE. */
  pollIntervalMs: number;
  /** Told whenever the status changes (MailboxStatusReports publishes it for the channel status route). */
  reportStatus(status: MailboxStatus): void;
  /** Consecutive rejected logins after which the watcher stops trying (AUTH_FAILURES_BEFORE_PAUSE). */
  authFailuresBeforePause: number;
  /** The durable record of pauses (MailboxPauses): asked before the first login, told when the watcher pauses. */
  pauses: {
    find(projectId: string, revision: number): Promise<RecordedPause | null>;
    pause(payload: { projectId: string; direction: 'imap'; revision: number; reason: string; failures: number; pausedAt: string }): Promise<void>;
  };
}

export const WATCHED_MAILBOX = 'INBOX';
/**
 * RFC 2177 asks clients to re-issue IDLE at least every 29 minutes; imapflow restarts it after this long. Kept below
 * the socket timeout of imapClientOptions (5 min) so a healthy IDLE never looks like a dead connection.
 */
const MAX_IDLE_MS = 4 * 60_000;
/** A session that watched this long counts as healthy: its failure starts the back-off over at 1 s. */
const HEALTHY_SESSION_MS = 60_000;
const MAX_ERROR_LENGTH = 500;
/** While history is imported, the server is asked this often whether new mail landed (it tells on its own, too). */
const NEW_MAIL_CHECK_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** How far each range is imported in this session, as the checkpoint has it. */
type ImportPosition = Record<ImportRange, number>;

/** How a session ended: the error, whether it got to watch, and how far the login got (see LoginOutcome). */
interface SessionEnd {
  error: unknown;
  watched: boolean;
  login: LoginOutcome;
  /** Why the credentials were rejected, as the admin reads it; set when `login` is `rejected`. */
  rejection?: string;
}

/** One IMAP connection's lifetime; a reconnect is a new session. */
interface Session {
  client: ImapFlow;
  context: Omit<MailboxContext, 'uidValidity'> | null;
  watching: boolean;
  closed: boolean;
  importing: boolean;
  importAgain: boolean;
  idleGeneration: number;
  timer: NodeJS.Timeout | undefined;
  /** Ends the session with the error that broke it. First call wins. */
  end(error: unknown): void;
}

/**
 * Watches the INBOX of one channel: connects, imports what is new since the checkpoint and the history still to
 * import (new mail first), then waits for new mail with IDLE (or by polling when the server has no IDLE), and
 * reconnects with back-off whenever anything goes wrong. After `authFailuresBeforePause` rejected logins in a row it
 * pauses instead: records the pause (and channel.email.paused) and stops logging in for this revision of the settings;
 * a watcher started for a revision that is paused never logs in at all. A new revision is a new watcher.
 *
 * Latency: imapflow would re-enter IDLE only `autoIdleDelay` (15 s) after the last command, and mail landing in that
 * gap waits for it. Auto-IDLE is off here; the watcher enters IDLE itself right after every import, so the server's
 * EXISTS for the next mail reaches us within Dovecot's notification delay (~0.5 s) however soon after the last one it
 * lands. An EXISTS that arrives while an import runs makes the import loop once more before IDLE is entered again.
 */
export class MailboxWatcher {
  private readonly logger: Logger;
  private stopped = false;
  private wake: () => void = () => undefined;
  private running: Promise<void> = Promise.resolve();
  private session: Session | null = null;
  /** The clear-text password of the current session, kept only to scrub it from error texts. */
  private password: string | null = null;
  private readonly status: MailboxStatus;

  constructor(
    readonly channel: WatchableChannel,
    private readonly dependencies: WatcherDependencies,
  ) {
    this.logger = new Logger(`MailboxWatcher ${channel.projectId}`);
    this.status = {
      projectId: channel.projectId,
      mailbox: WATCHED_MAILBOX,
      server: `${channel.imap.host}:${channel.imap.port}`,
      revision: channel.revision,
      state: 'connecting',
      mode: null,
      connectedSince: null,
      lastError: null,
      lastErrorAt: null,
      nextAttemptAt: null,
      lastImportAt: null,
      importedCount: 0,
      quarantinedCount: 0,
      waitingCount: 0,
    };
  }

  get projectId(): string {
    return this.channel.projectId;
  }

  get revision(): number {
    return this.channel.revision;
  }

  snapshot(): MailboxStatus {
    return { ...this.status };
  }

  start(): void {
    this.running = this.run().catch((error: unknown) => this.logger.error(`Watcher ended unexpectedly: ${this.describe(error)}`));
  }

  /** Stops at once: the connection is closed even mid-import (the checkpoint keeps what was finished). */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.wake();
      if (this.session) this.session.end(null);
    }
    await this.running;
  }

  private async run(): Promise<void> {
    const recorded = await this.recordedPause();
    if (recorded) {
      this.enterPaused(recorded.reason, recorded.pausedAt);
      return;
    }
    let failures = 0;
    let authFailures = 0;
    while (!this.stopped) {
      const startedAt = Date.now();
      const { error, watched, login, rejection } = await this.runSession().catch(
        (unexpected: unknown): SessionEnd => ({ error: unexpected, watched: false, login: 'not-reached' }),
      );
      if (this.stopped) break;
      authFailures = nextAuthFailures(authFailures, login);
      if (login === 'rejected' && pauseDue(authFailures, this.dependencies.authFailuresBeforePause)) {
        await this.pause(rejection ?? this.describe(error), authFailures);
        return;
      }
      this.status.lastError = this.describe(error);
      this.status.lastErrorAt = new Date().toISOString();
      this.status.connectedSince = null;
      failures = watched && Date.now() - startedAt >= HEALTHY_SESSION_MS ? 1 : failures + 1;
      const delay = reconnectDelayMs(failures);
      this.logger.warn(`Mailbox ${this.status.server} failed (${this.status.lastError}); reconnecting in ${delay} ms`);
      this.status.state = 'backoff';
      this.status.waitingCount = 0;
      this.status.nextAttemptAt = new Date(Date.now() + delay).toISOString();
      this.statusChanged();
      await this.sleep(delay);
      this.status.nextAttemptAt = null;
    }
  }

  /**
   * The pause recorded for this revision, asked before the first login (a restart, or a lease taken over, must not
   * try a paused revision again). While the database does not answer, nothing is tried either: it is asked again
   * with back-off. Null once stopped.
   */
  private async recordedPause(): Promise<RecordedPause | null> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        return await this.dependencies.pauses.find(this.channel.projectId, this.channel.revision);
      } catch (error) {
        this.waitingOn(`Whether the mailbox is paused could not be read: ${this.describe(error)}`, attempt);
        await this.sleep(reconnectDelayMs(attempt));
      }
    }
    return null;
  }

  /** Records the pause durably (retrying while the database does not answer, never logging in meanwhile), then stays paused. */
  private async pause(reason: string, failures: number): Promise<void> {
    const pausedAt = new Date();
    const payload = { projectId: this.channel.projectId, direction: 'imap' as const, revision: this.channel.revision, reason, failures, pausedAt: pausedAt.toISOString() };
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await this.dependencies.pauses.pause(payload);
        this.enterPaused(reason, pausedAt);
        return;
      } catch (error) {
        this.waitingOn(`The pause after ${failures} failed logins could not be recorded: ${this.describe(error)}`, attempt);
        await this.sleep(reconnectDelayMs(attempt));
      }
    }
  }

  /** No more logins for this revision; the status says why until the settings change (a new watcher). */
  private enterPaused(reason: string, pausedAt: Date): void {
    this.logger.warn(`Mailbox ${this.status.server} paused at revision ${this.channel.revision}: ${reason}`);
    Object.assign(this.status, {
      state: 'paused',
      mode: null,
      connectedSince: null,
      lastError: reason,
      lastErrorAt: pausedAt.toISOString(),
      nextAttemptAt: null,
      waitingCount: 0,
    } satisfies Partial<MailboxStatus>);
    this.statusChanged();
  }

  /** A failure of our own database while nothing is tried: shown as failing, with when the next try comes. */
  private waitingOn(problem: string, attempt: number): void {
    this.logger.warn(problem);
    this.status.state = 'backoff';
    this.status.lastError = problem.slice(0, MAX_ERROR_LENGTH);
    this.status.lastErrorAt = new Date().toISOString();
    this.status.nextAttemptAt = new Date(Date.now() + reconnectDelayMs(attempt, () => 0.5)).toISOString();
    this.statusChanged();
  }

  /** One connection from connect to close; resolves with what ended it. */
  private async runSession(): Promise<SessionEnd> {
    this.status.state = 'connecting';
    this.status.mode = null;
    this.statusChanged();
    let credential: MailCredential;
    try {
      credential = await this.dependencies.credential();
    } catch (error) {
      // A credential refused before any server is asked (a revoked grant) counts like a rejected login; the rest
      // (no access token yet, an unreadable password) is retried with the back-off.
      const rejection = authenticationFailureReason(error, 'imap', this.channel.imap);
      if (rejection !== null) return { error: new Error(rejection), watched: false, login: 'rejected', rejection };
      return { error, watched: false, login: 'not-reached' };
    }
    this.password = credentialSecret(credential);
    const { password: _sealed, auth: _auth, ...connection } = this.channel.imap;

    const options = imapClientOptions({ ...connection, ...credential });
    const client = new ImapFlow({
      ...options,
      tls: { ...options.tls, secureContext: imapSecureContext() },
      // We enter IDLE ourselves, right after each import; see the class comment.
      disableAutoIdle: true,
      maxIdleTime: MAX_IDLE_MS,
      logger: false,
    });
    let settle!: (error: unknown) => void;
    const ended = new Promise<unknown>((resolve) => (settle = resolve));
    const session: Session = {
      client,
      context: null,
      watching: false,
      closed: false,
      importing: false,
      importAgain: false,
      idleGeneration: 0,
      timer: undefined,
      end: (error) => {
        if (session.closed) return;
        session.closed = true;
        clearTimeout(session.timer);
        settle(error);
        client.close();
      },
    };
    // Without an 'error' listener an emitted error would crash the process; the 'close' that follows ends the session.
    let lastClientError: unknown = null;
    client.on('error', (error: unknown) => (lastClientError = error));
    client.on('close', () => session.end(lastClientError ?? new Error('The IMAP server closed the connection')));
    this.session = session;
    if (this.stopped) session.end(null);

    // Set inside the connect slot's callback, which the compiler's narrowing does not follow.
    let login = 'not-reached' as LoginOutcome;
    try {
      await imapConnectSlots().run(async () => {
        // Stopped while waiting for a slot: nothing to connect for.
        if (session.closed) throw new Error('The watcher was stopped before it connected');
        // imapflow's connect() ends with LOGIN (or AUTHENTICATE): once it resolves, the credentials were accepted.
        await client.connect();
        login = 'logged-in';
        await client.mailboxOpen(WATCHED_MAILBOX);
      });
    } catch (error) {
      // The socket-level error (refused, certificate ...) says more than imapflow's "connection closed".
      const cause = lastClientError ?? error;
      session.end(cause);
      this.session = null;
      const rejection = login === 'logged-in' ? null : (authenticationFailureReason(error, 'imap', this.channel.imap) ?? authenticationFailureReason(cause, 'imap', this.channel.imap));
      if (rejection !== null) return { error: this.connectionFailure(error), watched: false, login: 'rejected', rejection };
      return { error: this.connectionFailure(cause), watched: false, login };
    }
    if (session.closed) {
      this.session = null;
      return { error: await ended, watched: false, login };
    }

    session.context = {
      projectId: this.channel.projectId,
      mailbox: WATCHED_MAILBOX,
      markAsRead: this.channel.imap.markAsRead,
      channel: inboundChannelOf(this.channel),
      watchingSince: new Date(),
    };
    this.status.mode = client.capabilities.has('IDLE') ? 'idle' : 'polling';
    client.on('exists', () => this.requestImport(session));
    this.requestImport(session);

    const error = await ended;
    this.session = null;
    return { error, watched: session.watching, login };
  }

  /** Runs an import now, or once more after the running one, then goes back to waiting for mail. */
  private requestImport(session: Session): void {
    if (session.closed || this.stopped) return;
    if (session.importing) {
      session.importAgain = true;
      return;
    }
    clearTimeout(session.timer);
    session.importing = true;
    void (async () => {
      try {
        do {
          session.importAgain = false;
          await this.importPending(session);
        } while (session.importAgain && !session.closed);
        session.importing = false;
        if (!session.watching) {
          session.watching = true;
          this.status.connectedSince = new Date().toISOString();
          this.status.lastError = null;
          this.status.lastErrorAt = null;
        }
        this.status.waitingCount = 0;
        this.waitForMail(session);
      } catch (error) {
        session.importing = false;
        session.end(error);
      }
    })();
  }

  /**
   * Imports what waits, batch by batch (see MailImporter): new mail first, then the history below where watching
   * began, one batch at a time with any new mail that landed meanwhile in between. A customer writing while a
   * mailbox's years of mail are imported waits for one batch, not for the whole history.
   */
  private async importPending(session: Session): Promise<void> {
    const { client } = session;
    const context = session.context!;
    if (!client.mailbox) throw new Error(`${WATCHED_MAILBOX} is no longer selected`);
    const uidValidity = String(client.mailbox.uidValidity);
    let checkpoint = await this.dependencies.checkpoints.load(context.projectId, WATCHED_MAILBOX);
    if (!checkpoint || checkpoint.uidValidity !== uidValidity) {
      if (checkpoint) {
        // The server renumbered the mailbox: our UIDs mean nothing any more. Importing it all again is safe,
        // ticketing keeps one message per Message-ID.
        this.logger.warn(
          `UIDVALIDITY of ${WATCHED_MAILBOX} changed from ${checkpoint.uidValidity} to ${uidValidity}: importing the mailbox again`,
        );
      }
      checkpoint = await this.dependencies.checkpoints.reset(context.projectId, WATCHED_MAILBOX, uidValidity, await this.startingPoint(client));
    }
    const mailboxContext = { ...context, uidValidity };
    const position = { new: checkpoint.lastUid, history: checkpoint.backfill?.uid ?? 0 };
    // The history waiting is counted from the start, so the status says backfilling while new mail goes first.
    const history = checkpoint.backfill
      ? await this.dependencies.importer.pendingBatches(client, mailboxContext, { after: position.history, upTo: checkpoint.backfill.end })
      : [];
    this.expect(history);
    await this.importNewMail(session, mailboxContext, position);
    if (!checkpoint.backfill || session.closed) return;
    let lookedAt = Date.now();
    await this.importBatches(session, mailboxContext, history, 'history', position, async () => {
      // An EXISTS seen during the history's commands says new mail landed; a NOOP a second makes the server tell.
      if (!session.importAgain && Date.now() - lookedAt >= NEW_MAIL_CHECK_MS) {
        lookedAt = Date.now();
        await client.noop();
      }
      if (!session.importAgain) return;
      session.importAgain = false;
      await this.importNewMail(session, mailboxContext, position);
    });
    // All of it is in, or was expunged meanwhile: the history is done.
    if (!session.closed) await this.dependencies.checkpoints.advanceBackfill(context.projectId, WATCHED_MAILBOX, uidValidity, checkpoint.backfill.end);
  }

  private async importNewMail(session: Session, context: MailboxContext, position: ImportPosition): Promise<void> {
    const batches = await this.dependencies.importer.pendingBatches(session.client, context, { after: position.new });
    this.expect(batches);
    await this.importBatches(session, context, batches, 'new', position);
  }

  /** Counts mail found waiting into the status (importBatches counts it down as it goes). */
  private expect(batches: PendingMail[][]): void {
    if (batches.length === 0) return;
    this.status.state = 'importing';
    this.status.waitingCount += batches.reduce((sum, batch) => sum + batch.length, 0);
    this.statusChanged();
  }

  /**
   * Imports consecutive batches of one range: the next batch is fetched and parsed while this one is published (it
   * publishes nothing before its turn). `between` runs after each batch but the last.
   */
  private async importBatches(
    session: Session,
    context: MailboxContext,
    batches: PendingMail[][],
    range: ImportRange,
    position: ImportPosition,
    between?: () => Promise<void>,
  ): Promise<void> {
    if (batches.length === 0 || session.closed) return;
    const { client } = session;
    const { importer } = this.dependencies;
    let next = importer.prepareBatch(client, context, batches[0]!);
    for (let index = 0; index < batches.length; index += 1) {
      const current = next;
      if (index + 1 < batches.length) {
        next = importer.prepareBatch(client, context, batches[index + 1]!);
        next.catch(() => undefined);
      }
      if (session.closed) return;
      const { outcomes, last, error } = await importer.storeBatch(client, context, current, () => session.closed, range);
      if (last !== null) position[range] = last;
      this.status.importedCount += outcomes.filter((outcome) => outcome === 'published' || outcome === 'duplicate').length;
      this.status.quarantinedCount += outcomes.filter((outcome) => outcome === 'quarantined').length;
      this.status.waitingCount = Math.max(0, this.status.waitingCount - outcomes.length);
      if (outcomes.length > 0) this.status.lastImportAt = new Date().toISOString();
      this.statusChanged();
      // The checkpoint covers what was stored; the rest is imported again after the reconnect.
      if (error) throw error;
      if (between && index + 1 < batches.length && !session.closed) await between();
    }
  }

  /** Enters IDLE (or schedules the next poll) right away, so the next mail is seen as soon as the server tells. */
  private waitForMail(session: Session): void {
    if (session.closed) return;
    clearTimeout(session.timer);
    const { client } = session;
    if (this.status.mode === 'polling') {
      if (this.status.state !== 'polling') {
        this.status.state = 'polling';
        this.statusChanged();
      }
      session.timer = setTimeout(() => {
        // NOOP lets the server report new mail (EXISTS); the import then asks for UIDs above the checkpoint anyway.
        client.noop().then(
          () => this.requestImport(session),
          (error: unknown) => session.end(error),
        );
      }, this.dependencies.pollIntervalMs);
      return;
    }
    if (this.status.state !== 'idle') {
      this.status.state = 'idle';
      this.statusChanged();
    }
    const generation = ++session.idleGeneration;
    const startedAt = Date.now();
    client.idle().then(
      () => {
        // An import breaks IDLE and re-enters it when done. IDLE can also end on its own (a keep-alive NOOP after a
        // quiet socket); then nothing else would re-enter it. Guarded against a tight loop if IDLE ends at once.
        if (session.closed || session.importing || generation !== session.idleGeneration) return;
        const delay = Date.now() - startedAt < 1_000 ? 1_000 : 0;
        session.timer = setTimeout(() => {
          if (!session.importing && generation === session.idleGeneration) this.waitForMail(session);
        }, delay);
      },
      (error: unknown) => session.end(error),
    );
  }

  /**
   * Where a mailbox read for the first time (or renumbered) starts. What it held when the channel's settings were
   * last saved (the admin enabling it) is history, imported beside the new mail from here on; what landed since is
   * new mail, so a customer who writes right after the channel is enabled is not queued behind years of mail. Mail
   * from before the channel's `import.since` is history it does not import. IMAP's SEARCH SINCE compares the day
   * mail arrived (INTERNALDATE); the history starts just below the first UID that matches, and is empty when nothing
   * does.
   */
  private async startingPoint(client: ImapFlow): Promise<StartingPoint> {
    const mailboxEnd = Math.max(0, Number(client.mailbox ? client.mailbox.uidNext : 1) - 1);
    const liveFrom = Math.min(mailboxEnd, await this.lastUidBefore(client, new Date(this.channel.updatedAt)));
    const since = importSinceOf(this.channel, new Date());
    let historyFrom = 0;
    if (since !== null) {
      const matching = (await client.search({ since }, { uid: true })) || [];
      historyFrom = matching.length > 0 ? Math.min(liveFrom, matching.reduce((a, b) => Math.min(a, b)) - 1) : liveFrom;
    }
    const from = since === null ? 'all of it' : `mail since ${since.toISOString().slice(0, 10)}`;
    this.logger.log(`First read of ${WATCHED_MAILBOX}: history ${from} (UIDs ${historyFrom + 1}–${liveFrom}), new mail above ${liveFrom}`);
    return { historyFrom, liveFrom };
  }

  /**
   * The highest UID of mail that landed before `moment`, assuming UIDs grow with arrival; Infinity when no mail
   * landed after it. INTERNALDATE has whole seconds: mail of the moment's own second counts as after (an admin who
   * enables the channel and sends a test mail at once must get an answer). SEARCH SINCE compares days in the
   * server's time zone, hence the day of margin.
   */
  private async lastUidBefore(client: ImapFlow, moment: Date): Promise<number> {
    if (Number.isNaN(moment.getTime())) return Number.POSITIVE_INFINITY;
    const recent = (await client.search({ since: new Date(moment.getTime() - DAY_MS) }, { uid: true })) || [];
    if (recent.length === 0) return Number.POSITIVE_INFINITY;
    const landed = await client.fetchAll(recent, { uid: true, internalDate: true }, { uid: true });
    const sameSecond = Math.floor(moment.getTime() / 1000) * 1000;
    const after = landed.filter((mail) => mail.internalDate instanceof Date && mail.internalDate.getTime() >= sameSecond).map((mail) => mail.uid);
    return after.length === 0 ? Number.POSITIVE_INFINITY : after.reduce((a, b) => Math.min(a, b)) - 1;
  }

  private statusChanged(): void {
    this.dependencies.reportStatus(this.snapshot());
  }

  private connectionFailure(error: unknown): Error {
    const credential = this.channel.imap.auth?.type === 'oauth2' ? 'oauth2' : 'password';
    const classified = classifyConnectionError(error, 'imap', { ...this.channel.imap, credential });
    return new Error(`${classified.code}: ${classified.message} ${classified.hint}`.trim());
  }

  /** An error as health shows it: short, and never with the password in it. */
  private describe(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error ?? 'unknown error');
    return withoutSecret(text, this.password).replace(/\s+/g, ' ').slice(0, MAX_ERROR_LENGTH);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
