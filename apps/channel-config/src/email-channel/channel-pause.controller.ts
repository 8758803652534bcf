import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaused, type ChannelPausedPayload, type EventEnvelope } from '@ensoras/contracts';
import { EnvelopeOf } from '@ensoras/messaging';
import { ChannelPauseRecords } from './channel-pause-records.service.js';

/**
 * channel.email.paused from mail-ingest (imap) and mail-outbound (smtp). Returning acknowledges it, also when it is
 * ignored (older than the settings, or no channel); a throw (database trouble) has it retried.
 */
@Controller()
export class ChannelPauseController {
  constructor(private readonly records: ChannelPauseRecords) {}

  // <string>: the subject is a wildcard pattern, not a key of a typed event map.
  @EventPattern<string>(ChannelPaused.anyProject)
  async onPaused(@Payload(new EnvelopeOf(ChannelPaused)) envelope: EventEnvelope<ChannelPausedPayload>): Promise<void> {
    await this.records.record(envelope);
  }
}
