import { Injectable, Logger } from '@nestjs/common';
import { RAW_MAIL_OBJECT_STORE, type EventEnvelope, type MailReceivedPayload } from '@ensoras/contracts';
import { ParseTimeoutError } from '@ensoras/mail';
import { EventPublisher, KeyValueBuckets } from '@ensoras/messaging';
import type { ImapFlow } from 'imapflow';
import { CheckpointStore } from '../checkpoints/checkpoint.store.js';
import { IngestMetrics, type ImportResult } from '../metrics/ingest-metrics.js';
import { QuarantineStore } from '../quarantine/quarantine.store.js';
import { rawObjectKey } from './import-event-id.js';
import { bytesToFetch, checkpointAfter, IMPORT_BATCH_LIMITS, importBatches, isOversized, type PendingMail } from './import-batches.js';
import type { ChannelAddresses } from './mail-received.builder.js';
import { MailReceivedEvents } from './mail-received.events.js';
import { ParserClosedError } from './mail-parser.js';

/**
 * Of a mail over the channel's size limit only this much is fetched (and kept): enough for its headers and text,
 * which is all an oversized mail's event carries (no attachments). A 200 MB mail used to cost 1 GB of memory.
 */
export const OVERSIZED_FETCH_BYTES = 1024 * 1024;

/** Object metadata on a kept mail that is only the start of a larger one: the whole mail's size (RFC822.SIZE). */
export const DECLARED_SIZE_METADATA = 'ensoras-declared-size';

/** The declared size of a kept mail that is only its start; undefined for a mail kept whole. */
export function declaredSizeOf(info: { metadata?: Record<string, string> } | null): number | undefined {
  const size = Number(info?.metadata?.[DECLARED_SIZE_METADATA]);
  return Number.isSafeInteger(size) && size > 0 ? size : undefined;
}

/** One watched mailbox, as the importer needs it. */
export interface MailboxContext {
  projectId: string;
  mailbox: string;
  uidValidity: string;
  markAsRead: boolean;
  /** Own addresses and size limit, from the channel settings (inboundChannelOf). */
  channel: ChannelAddresses;
  /** Mail that landed after this moment counts towards the import latency metric (a backlog would not say much). */
  watchingSince: Date;
}

export type ImportOutcome = ImportResult | 'gone';

/**
 * Which of a mailbox's two positions a batch belongs to: new mail (above where watching began) or the history below
 * it. History is published for the consumers' backlog lanes, so new mail never queues behind it.
 */
export type ImportRange = 'new' | 'history';

/** The UIDs of one range still to import: above `after`, and up to `upTo` when the range has an end. */
export interface UidSpan {
  after: number;
  upTo?: number;
}

/**
 * What became of a batch: the outcomes of the mails the checkpoint now covers, the UID it now stands at (null when it
 * did not move), and what stopped the rest, if anything.
 */
export interface BatchResult {
  outcomes: ImportOutcome[];
  last: number | null;
  error: unknown;
}

/** A batch whose sources are fetched, each mail being kept and parsed (in UID order). */
export interface PreparedBatch {
  mails: Array<{ mail: PendingMail; ready: Promise<Prepared> }>;
}

/** A mail of the batch ready to be stored: its event, or why it goes to quarantine, or nothing (expunged meanwhile). */
export type Prepared =
  | { kind: 'event'; event: EventEnvelope<MailReceivedPayload> }
  | { kind: 'quarantine'; reason: string; key: string }
  | { kind: 'gone' };

/**
 * Turns the mailbox's backlog into stored mail.received events, batch by batch, in the order that makes a crash
 * harmless: raw bytes kept → event published (deterministic id) → \Seen set (markAsRead) → checkpoint advanced.
 *
 * Within a batch the slow parts overlap: one FETCH brings every source; the object-store writes and the parses (in
 * the worker pool) run side by side, the next batch's already while this one is stored; the publishes are issued in
 * UID order on the one NATS connection without waiting for each acknowledgement, so the stream stores them in UID
 * order. \Seen is set with one STORE and the checkpoint moves once per batch, to the highest UID whose event and every
 * earlier one is stored (or quarantined); a crash re-imports the rest and JetStream drops the repeated publishes as
 * duplicates (the event id is deterministic).
 */
@Injectable()
export class MailImporter {
  private readonly logger = new Logger(MailImporter.name);

  constructor(
    private readonly buckets: KeyValueBuckets,
    private readonly publisher: EventPublisher,
    private readonly checkpoints: CheckpointStore,
    private readonly quarantine: QuarantineStore,
    private readonly metrics: IngestMetrics,
    private readonly events: MailReceivedEvents,
  ) {}

  /**
   * The mail of a span in batches, UID order kept. Sizes come first (one FETCH of RFC822.SIZE for the whole
   * backlog): a mail over the channel's size limit is never downloaded whole, and a batch's sources fit in memory.
   */
  async pendingBatches(client: ImapFlow, context: MailboxContext, span: UidSpan): Promise<PendingMail[][]> {
    const { after, upTo = Number.POSITIVE_INFINITY } = span;
    if (after >= upTo) return [];
    const within = (uid: number) => uid > after && uid <= upTo;
    // `n:*` always matches the highest UID, even when it is below n; hence the filter.
    const found = ((await client.search({ uid: `${after + 1}:${Number.isFinite(upTo) ? upTo : '*'}` }, { uid: true })) || []).filter(within);
    if (found.length === 0) return [];
    const range = `${found.reduce((a, b) => Math.min(a, b))}:${found.reduce((a, b) => Math.max(a, b))}`;
    const envelopes = await client.fetchAll(range, { uid: true, size: true, internalDate: true }, { uid: true });
    const pending = envelopes
      .filter((envelope) => within(envelope.uid))
      .map((envelope) => ({
        uid: envelope.uid,
        size: typeof envelope.size === 'number' ? envelope.size : undefined,
        internalDate: envelope.internalDate instanceof Date ? envelope.internalDate : null,
      }))
      .sort((a, b) => a.uid - b.uid);
    const limit = context.channel.maxMessageSizeBytes;
    return importBatches(pending, IMPORT_BATCH_LIMITS, (mail) => bytesToFetch(mail.size, limit, OVERSIZED_FETCH_BYTES));
  }

  /**
   * Fetches a batch's sources (one FETCH) and starts keeping and parsing every mail of it. Nothing here is visible
   * to anyone yet (the raw bytes are kept under the mail's own key), so the next batch may be prepared while the
   * previous one is being stored. Rejects only when the sources cannot be fetched.
   */
  async prepareBatch(client: ImapFlow, context: MailboxContext, batch: PendingMail[]): Promise<PreparedBatch> {
    const sources = await this.fetchSources(client, context, batch);
    const mails = batch.map((mail) => ({ mail, ready: this.prepare(context, mail, sources.get(mail.uid)) }));
    // Each is awaited in order by storeBatch; one that fails after an earlier failure must not count as unhandled.
    for (const { ready } of mails) ready.catch(() => undefined);
    return { mails };
  }

  /**
   * Stores a prepared batch: publishes in UID order, then \Seen and the range's checkpoint once. Never throws: trouble
   * (IMAP, NATS, database, shutdown) comes back as `error`, after the checkpoint has been moved past what was stored
   * before it. `stopping` is asked before each publish; once it says yes nothing more is published.
   */
  async storeBatch(
    client: ImapFlow,
    context: MailboxContext,
    preparing: Promise<PreparedBatch>,
    stopping: () => boolean,
    range: ImportRange = 'new',
  ): Promise<BatchResult> {
    const { projectId, mailbox, uidValidity } = context;
    let error: unknown = null;
    let batch: PendingMail[] = [];
    const steps: Array<Promise<ImportOutcome>> = [];
    try {
      const { mails } = await preparing;
      batch = mails.map(({ mail }) => mail);
      for (const { mail, ready } of mails) {
        const prepared = await ready;
        if (stopping()) break;
        const step = this.store(context, mail, prepared, range);
        // Settled below, after the loop: a publish that fails (NATS lost its stream leader) while a later mail is
        // still being parsed must not count as an unhandled rejection, which ends the process.
        step.catch(() => undefined);
        steps.push(step);
      }
    } catch (caught) {
      error = caught;
    }
    const settled = await Promise.allSettled(steps);
    const done = settled.map((step) => step.status === 'fulfilled');
    error ??= settled.find((step): step is PromiseRejectedResult => step.status === 'rejected')?.reason ?? null;
    const uids = batch.map((mail) => mail.uid);
    const last = checkpointAfter(uids.slice(0, settled.length), done);
    if (last === null) return { outcomes: [], last: null, error };
    const outcomes = settled.slice(0, uids.indexOf(last) + 1).map((step) => (step as PromiseFulfilledResult<ImportOutcome>).value);
    try {
      const stored = batch.filter((_, index) => index < outcomes.length && (outcomes[index] === 'published' || outcomes[index] === 'duplicate'));
      // One STORE for the batch, only for mail whose event is stored (a quarantined mail stays unread), and before the
      // checkpoint: a STORE lost to a closing connection leaves the mails to be imported (and flagged) again, instead
      // of imported and never flagged. imapflow answers a failed STORE with false, never with an error.
      if (context.markAsRead && stored.length > 0) {
        const flagged = await client.messageFlagsAdd(stored.map((mail) => mail.uid), ['\\Seen'], { uid: true });
        if (!flagged && (stopping() || !client.usable)) throw new Error('\\Seen could not be set: the IMAP connection is closed');
      }
      if (range === 'history') await this.checkpoints.advanceBackfill(projectId, mailbox, uidValidity, last);
      else await this.checkpoints.advance(projectId, mailbox, uidValidity, last);
    } catch (caught) {
      return { outcomes: [], last: null, error: error ?? caught };
    }
    return { outcomes, last, error };
  }

  /** The sources of a batch: mails within the size limit in one FETCH, the start of oversized ones in another. */
  private async fetchSources(client: ImapFlow, context: MailboxContext, batch: PendingMail[]): Promise<Map<number, Buffer>> {
    const limit = context.channel.maxMessageSizeBytes;
    const oversized = batch.filter((mail) => isOversized(mail.size, limit)).map((mail) => mail.uid);
    const whole = batch.filter((mail) => !isOversized(mail.size, limit)).map((mail) => mail.uid);
    const sources = new Map<number, Buffer>();
    // BODY.PEEK[]: reading the source never sets \Seen; only markAsRead does, after the event is stored.
    for (const [uids, source] of [
      [whole, true],
      [oversized, { maxLength: OVERSIZED_FETCH_BYTES }],
    ] as const) {
      if (uids.length === 0) continue;
      for (const message of await client.fetchAll(uids, { uid: true, source }, { uid: true })) {
        if (message.source) sources.set(message.uid, message.source);
      }
    }
    return sources;
  }

  /** Keeps the raw bytes and parses them (side by side); a mail that cannot be parsed is headed for quarantine. */
  private async prepare(context: MailboxContext, mail: PendingMail, raw: Buffer | undefined): Promise<Prepared> {
    // Expunged between listing and fetching: nothing to import, move past it.
    if (!raw) return { kind: 'gone' };
    const { projectId, mailbox, uidValidity } = context;
    const { uid } = mail;
    const oversized = isOversized(mail.size, context.channel.maxMessageSizeBytes);
    // Of an oversized mail the store keeps the start that was fetched; the whole mail stays in the mailbox.
    const key = rawObjectKey(projectId, uidValidity, uid);
    const kept = this.buckets
      .objectStore(RAW_MAIL_OBJECT_STORE)
      .then((store) => store.putBlob({ name: key, ...(oversized ? { metadata: { [DECLARED_SIZE_METADATA]: String(mail.size) } } : {}) }, raw));
    const parsed = this.events.envelopeFor(projectId, { mailbox, uidValidity, uid, rawObjectKey: key }, raw, context.channel, oversized ? mail.size : undefined);
    const [keeping, parsing] = await Promise.allSettled([kept, parsed]);
    if (keeping.status === 'rejected') throw keeping.reason;
    if (parsing.status === 'fulfilled') return { kind: 'event', event: parsing.value };
    // Shutting down is not the mail's fault: the import is retried after the restart.
    if (parsing.reason instanceof ParserClosedError) throw parsing.reason;
    return { kind: 'quarantine', reason: quarantineReason(parsing.reason), key };
  }

  /**
   * Stores one prepared mail. Not async on purpose: the publish is issued before this returns, so calling it in UID
   * order puts the events on the wire (and in the stream) in UID order.
   */
  private store(context: MailboxContext, mail: PendingMail, prepared: Prepared, range: ImportRange): Promise<ImportOutcome> {
    const { projectId, uidValidity } = context;
    const { uid } = mail;
    if (prepared.kind === 'gone') return Promise.resolve('gone');
    if (prepared.kind === 'quarantine') {
      // One bad mail never blocks the mailbox: park it with its reason and go on with the next.
      const { reason, key } = prepared;
      return this.quarantine.add({ projectId, uidValidity, uid, reason, rawObjectKey: key }).then(() => {
        this.logger.warn(`Quarantined mail ${key}: ${reason}`);
        this.metrics.countImport('quarantined');
        return 'quarantined' as const;
      });
    }
    const event = range === 'history' ? { ...prepared.event, backlog: true as const } : prepared.event;
    return this.publisher.publish(event).then(({ duplicate }) => {
      const result: ImportResult = duplicate ? 'duplicate' : 'published';
      this.metrics.countImport(result);
      const landedAt = mail.internalDate;
      // INTERNALDATE has whole seconds: compare with the start of the watch rounded down likewise.
      if (!duplicate && landedAt && landedAt.getTime() >= Math.floor(context.watchingSince.getTime() / 1000) * 1000) {
        this.metrics.observeLatency((Date.now() - landedAt.getTime()) / 1000);
      }
      return result;
    });
  }
}

/** Why a mail was quarantined: `parse_timeout: …` for a parse over the time limit, else the error's name and message. */
export function quarantineReason(error: unknown): string {
  if (error instanceof ParseTimeoutError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
