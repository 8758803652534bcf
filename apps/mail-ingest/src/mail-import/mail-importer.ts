import { Injectable, Logger } from '@nestjs/common';
import { RAW_MAIL_OBJECT_STORE } from '@ensoras/contracts';
import { EventPublisher, KeyValueBuckets } from '@ensoras/messaging';
import type { ImapFlow } from 'imapflow';
import { CheckpointStore } from '../checkpoints/checkpoint.store.js';
import { IngestMetrics, type ImportResult } from '../metrics/ingest-metrics.js';
import { QuarantineStore } from '../quarantine/quarantine.store.js';
import { rawObjectKey } from './import-event-id.js';
import type { ChannelAddresses } from './mail-received.builder.js';
import { MailReceivedEvents } from './mail-received.events.js';

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
    // BODY.PEEK[]: reading the source never sets \Seen; only markAsRead does, below, after the event is stored.
    const message = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true });
    if (!message || !message.source) {
      // Expunged between search and fetch: nothing to import, move past it.
      await this.checkpoints.advance(projectId, mailbox, uidValidity, uid);
      return 'gone';
    }
    const raw = message.source;
    const key = rawObjectKey(projectId, uidValidity, uid);
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    await store.putBlob({ name: key }, raw);

    let event;
    try {
      event = await this.events.envelopeFor(projectId, { mailbox, uidValidity, uid, rawObjectKey: key }, raw, context.channel);
    } catch (error) {
      // One bad mail never blocks the mailbox: park it with its reason and go on with the next.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
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
    const landedAt = message.internalDate instanceof Date ? message.internalDate : null;
    // INTERNALDATE has whole seconds: compare with the start of the watch rounded down likewise.
    if (!duplicate && landedAt && landedAt.getTime() >= Math.floor(context.watchingSince.getTime() / 1000) * 1000) {
      this.metrics.observeLatency((Date.now() - landedAt.getTime()) / 1000);
    }
    return result;
  }
}
