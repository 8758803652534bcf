import { Injectable, Logger } from '@nestjs/common';
import type { ChannelPausedPayload, EventEnvelope } from '@ensoras/contracts';
import { ProjectChanges } from '../projects/project-changes.service.js';
import { pauseIsCurrent, pauseOfEvent } from './channel-pauses.js';
import { EmailChannelEntity } from './email-channel.entity.js';

/**
 * Keeps the pauses mail-ingest and mail-outbound report (channel.email.paused) on the channel, for the status route
 * and the console. Serialised with settings changes (ProjectChanges), so a pause reported for the revision a change
 * just replaced cannot land after that change: it is ignored as older. Recording the same pause again (a redelivery)
 * writes the same values.
 */
@Injectable()
export class ChannelPauseRecords {
  private readonly logger = new Logger(ChannelPauseRecords.name);

  constructor(private readonly changes: ProjectChanges) {}

  async record(envelope: EventEnvelope<ChannelPausedPayload>): Promise<'recorded' | 'not-current' | 'no-channel'> {
    const { projectId } = envelope;
    const { direction, pause } = pauseOfEvent(projectId, envelope.payload);
    const outcome = await this.changes.withProjectLocked(projectId, async (manager, state) => {
      if (!state.channel) return 'no-channel' as const;
      if (!pauseIsCurrent(pause, state.project.revision)) return 'not-current' as const;
      await manager.update(EmailChannelEntity, { projectId }, direction === 'imap' ? { imapPause: pause } : { smtpPause: pause });
      return 'recorded' as const;
    });
    if (outcome === 'recorded') {
      this.logger.warn(`The ${direction.toUpperCase()} side of project ${projectId} is paused at revision ${pause.revision}: ${pause.reason}`);
    } else {
      this.logger.log(`Pause of ${direction} of project ${projectId} at revision ${pause.revision} ignored: ${outcome === 'no-channel' ? 'no channel' : 'not the current revision'}`);
    }
    return outcome;
  }
}
