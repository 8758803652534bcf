import { Injectable, Logger } from '@nestjs/common';
import { RAW_MAIL_OBJECT_STORE } from '@ensoras/contracts';
import { ChannelSettingsReplica, EventPublisher, KeyValueBuckets } from '@ensoras/messaging';
import { inboundChannelOf } from '../mail-import/inbound-channel.js';
import { declaredSizeOf, quarantineReason } from '../mail-import/mail-importer.js';
import { MailReceivedEvents } from '../mail-import/mail-received.events.js';
import { WATCHED_MAILBOX } from '../mailboxes/mailbox-watcher.js';
import { IngestMetrics } from '../metrics/ingest-metrics.js';
import { QuarantineStore, type QuarantineEntry, type QuarantineKey } from './quarantine.store.js';

export type RetryOutcome =
  | { outcome: 'published'; messageId: string; duplicate: boolean }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'not-found' }
  | { outcome: 'raw-missing'; entry: QuarantineEntry };

/**
 * Tries a quarantined mail again, e.g. after a parser fix: reads its raw bytes from the object store, parses them
 * with the channel's current settings and publishes mail.received exactly as the importer would have (same
 * deterministic event id, so a mail that did get through once is not published twice). On success the quarantine
 * entry goes; on failure it stays, with the new reason.
 */
@Injectable()
export class QuarantineRetry {
  private readonly logger = new Logger(QuarantineRetry.name);

  constructor(
    private readonly quarantine: QuarantineStore,
    private readonly buckets: KeyValueBuckets,
    private readonly events: MailReceivedEvents,
    private readonly publisher: EventPublisher,
    private readonly replica: ChannelSettingsReplica,
    private readonly metrics: IngestMetrics,
  ) {}

  async retry(key: QuarantineKey): Promise<RetryOutcome> {
    const entry = await this.quarantine.find(key);
    if (!entry) return { outcome: 'not-found' };
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    const stored = await store.getBlob(entry.rawObjectKey);
    if (!stored) return { outcome: 'raw-missing', entry };

    const raw = Buffer.from(stored);
    const source = { mailbox: WATCHED_MAILBOX, uidValidity: key.uidValidity, uid: key.uid, rawObjectKey: entry.rawObjectKey };
    let event;
    try {
      // A mail over the size limit was kept only in part: parse it as the importer did, with its whole size.
      const declaredSize = declaredSizeOf(await store.info(entry.rawObjectKey));
      event = await this.events.envelopeFor(key.projectId, source, raw, inboundChannelOf(this.replica.get(key.projectId)), declaredSize);
    } catch (error) {
      const reason = quarantineReason(error);
      await this.quarantine.updateReason(key, reason);
      return { outcome: 'failed', reason };
    }
    // Published first, removed after: a crash in between leaves the entry, and the next retry is a duplicate.
    const { duplicate } = await this.publisher.publish(event);
    await this.quarantine.remove(key);
    // Counted like an import, so the published count keeps matching the events on the stream.
    this.metrics.countImport(duplicate ? 'duplicate' : 'published');
    this.logger.log(`Quarantined mail ${entry.rawObjectKey} published on retry${duplicate ? ' (already published before)' : ''}`);
    return { outcome: 'published', messageId: event.payload.messageId, duplicate };
  }
}
