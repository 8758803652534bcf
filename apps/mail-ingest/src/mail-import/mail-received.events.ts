import { Inject, Injectable } from '@nestjs/common';
import { createEnvelope, MailReceived, type EventEnvelope, type MailReceivedPayload } from '@ensoras/contracts';
import { NATS_CONNECTION } from '@ensoras/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import { importEventId } from './import-event-id.js';
import { buildMailReceivedPayload, fitToEventLimit, type ChannelAddresses, type MailSource } from './mail-received.builder.js';
import { MailParser } from './mail-parser.js';

/** nats-server's default max_payload, for the unlikely case the server did not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room for the envelope around the payload and for the publish headers. */
const ENVELOPE_RESERVE_BYTES = 4 * 1024;
/**
 * The largest mail.received payload we publish, however large the broker allows: half of NATS's default 1 MiB, so
 * the events built from it downstream (which repeat names, subject and text) have room too.
 */
export const MAX_EVENT_BYTES = 512 * 1024;

/**
 * The mail.received envelope of one mail, as the importer publishes it and a quarantine retry publishes it later:
 * parsed, fitted to the broker's message size, with the deterministic id of (project, UIDVALIDITY, UID) so that a
 * second publish of the same mail is dropped by JetStream.
 */
@Injectable()
export class MailReceivedEvents {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly parser: MailParser,
  ) {}

  /**
   * `declaredSize`: the mail's RFC822.SIZE when `raw` is only its start (a mail over the channel's size limit is
   * not downloaded whole); the event says that size and `oversized`.
   */
  async envelopeFor(
    projectId: string,
    source: MailSource,
    raw: Buffer,
    channel: ChannelAddresses,
    declaredSize?: number,
  ): Promise<EventEnvelope<MailReceivedPayload>> {
    const payload = await buildMailReceivedPayload(raw, source, channel, (bytes, parseChannel) =>
      this.parser.parse(bytes, parseChannel, { declaredSize }, `${projectId}/${source.mailbox}`),
    );
    return createEnvelope(MailReceived, projectId, fitToEventLimit(payload, this.maxPayloadBytes()), importEventId(projectId, source.uidValidity, source.uid));
  }

  private maxPayloadBytes(): number {
    return Math.min(MAX_EVENT_BYTES, (this.connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - ENVELOPE_RESERVE_BYTES);
  }
}
