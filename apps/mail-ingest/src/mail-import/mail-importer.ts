import { Injectable, Logger } from '@nestjs/common';
import { RAW_MAIL_OBJECT_STORE } from '@ensoras/contracts';
import { ParseTimeoutError } from '@ensoras/mail';
import { EventPublisher, KeyValueBuckets } from '@ensoras/messaging';
import type { ImapFlow } from 'imapflow';
import { CheckpointStore } from '../checkpoints/checkpoint.store.js';
import { IngestMetrics, type ImportResult } from '../metrics/ingest-metrics.js';
import { QuarantineStore } from '../quarantine/quarantine.store.js';
import { rawObjectKey } from './import-event-id.js';
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
 * Turns one mailbox message into a stored mail.received event, in the order that makes a crash harmless:
 * raw bytes kept → event published (deterministic id) → checkpoint advanced → \Seen set (markAsRead).
 * A crash before the checkpoint re-imports the mail; JetStream drops the repeated publish as a duplicate.
 * Throws only for transient trouble (IMAP, NATS, database), which the watcher answers by reconnecting.
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

  async importMessage(client: ImapFlow, context: MailboxContext, uid: number): Promise<ImportOutcome> {
    const { projectId, mailbox, uidValidity } = context;
    // RFC822.SIZE first: a mail over the channel's size limit is never downloaded whole.
    const envelope = await client.fetchOne(String(uid), { uid: true, size: true, internalDate: true }, { uid: true });
    const limit = context.channel.maxMessageSizeBytes;
    const oversized = !!envelope && typeof envelope.size === 'number' && limit != null && envelope.size > limit;
    // BODY.PEEK[]: reading the source never sets \Seen; only markAsRead does, below, after the event is stored.
    const message = !envelope
      ? null
      : await client.fetchOne(String(uid), { uid: true, source: oversized ? { maxLength: OVERSIZED_FETCH_BYTES } : true }, { uid: true });
    if (!envelope || !message || !message.source) {
      // Expunged between search and fetch: nothing to import, move past it.
      await this.checkpoints.advance(projectId, mailbox, uidValidity, uid);
      return 'gone';
    }
    const raw = message.source;
    // Of an oversized mail the store keeps the start that was fetched; the whole mail stays in the mailbox.
    const key = rawObjectKey(projectId, uidValidity, uid);
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    await store.putBlob({ name: key, ...(oversized ? { metadata: { [DECLARED_SIZE_METADATA]: String(envelope.size) } } : {}) }, raw);
    let event;
    try {
      const source = { mailbox, uidValidity, uid, rawObjectKey: key };
      event = await this.events.envelopeFor(projectId, source, raw, context.channel, oversized ? envelope.size : undefined);
    } catch (error) {
      // Shutting down is not the mail's fault: the import is retried after the restart.
      if (error instanceof ParserClosedError) throw error;
      // One bad mail never blocks the mailbox: park it with its reason and go on with the next.
      const reason = quarantineReason(error);
      await this.quarantine.add({ projectId, uidValidity, uid, reason, rawObjectKey: key });
      await this.checkpoints.advance(projectId, mailbox, uidValidity, uid);
      this.logger.warn(`Quarantined mail ${key}: ${reason}`);
      this.metrics.countImport('quarantined');
      return 'quarantined';
    }
    const { duplicate } = await this.publisher.publish(event);
    await this.checkpoints.advance(projectId, mailbox, uidValidity, uid);
    if (context.markAsRead) await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });

    const result: ImportResult = duplicate ? 'duplicate' : 'published';
    this.metrics.countImport(result);
    const landedAt = envelope.internalDate instanceof Date ? envelope.internalDate : null;
    // INTERNALDATE has whole seconds: compare with the start of the watch rounded down likewise.
    if (!duplicate && landedAt && landedAt.getTime() >= Math.floor(context.watchingSince.getTime() / 1000) * 1000) {
      this.metrics.observeLatency((Date.now() - landedAt.getTime()) / 1000);
    }
    return result;
  }
}

/** Why a mail was quarantined: `parse_timeout: …` for a parse over the time limit, else the error's name and message. */
export function quarantineReason(error: unknown): string {
  if (error instanceof ParseTimeoutError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
