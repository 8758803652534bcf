import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { channelPasswordContext, SecretBox } from '@ensoras/secrets';
import { DataSource, MoreThan } from 'typeorm';
import { resealUntilDone } from '../sealing/reseal-until-done.js';
import { ProjectChanges, type ProjectChange } from '../projects/project-changes.service.js';
import { EmailChannelEntity } from './email-channel.entity.js';

const PAGE_SIZE = 200;

/**
 * At start, every stored password not sealed with the current SECRETS_KEY in the current format (a rotation, with
 * the old key as SECRETS_KEY_PREVIOUS; or a row from before sealing had a context) is sealed again. Each project
 * is one change of its own (revision, audit entry `email_channel.passwords_resealed`, new KV snapshot), so the other
 * services get the re-sealed form through the bucket; no channel event, since nothing they act on changed.
 */
@Injectable()
export class PasswordResealing implements OnApplicationBootstrap {
  private readonly logger = new Logger(PasswordResealing.name);
  private started: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: ProjectChanges,
    private readonly box: SecretBox,
  ) {}

  /** Nest may run bootstrap hooks twice (HTTP app and JetStream microservice); re-seal once. */
  onApplicationBootstrap(): Promise<void> {
    return (this.started ??= resealUntilDone(this.logger, 'passwords', () => this.resealAll(), (count) => `Re-sealed the passwords of ${count} channel(s) with key ${this.box.keyId}`));
  }

  /** Re-seals what needs it; returns the number of channels changed. */
  async resealAll(): Promise<number> {
    let resealed = 0;
    let after = '';
    for (;;) {
      const channels = await this.dataSource.manager.find(EmailChannelEntity, {
        select: { projectId: true, imapPasswordSealed: true, smtpPasswordSealed: true },
        where: { projectId: MoreThan(after) },
        order: { projectId: 'ASC' },
        take: PAGE_SIZE,
      });
      for (const channel of channels) {
        if (this.needsResealing(channel) && (await this.reseal(channel.projectId))) resealed++;
      }
      if (channels.length < PAGE_SIZE) return resealed;
      after = channels[channels.length - 1].projectId;
    }
  }

  private needsResealing(channel: Pick<EmailChannelEntity, 'imapPasswordSealed' | 'smtpPasswordSealed'>): boolean {
    return [channel.imapPasswordSealed, channel.smtpPasswordSealed].some((sealed) => sealed !== '' && this.box.needsResealing({ sealed }));
  }

  private async reseal(projectId: string): Promise<boolean> {
    const state = await this.changes.apply(projectId, (current): ProjectChange | null => {
      const channel = current.channel;
      if (!channel) return null;
      const settings = channel.settings();
      const changedFields: string[] = [];
      for (const section of ['imap', 'smtp'] as const) {
        const stored = settings[section].password;
        if (stored.sealed === '' || !this.box.needsResealing(stored)) continue;
        try {
          settings[section].password = this.box.reseal(stored, channelPasswordContext(projectId, section, settings[section]));
          changedFields.push(`${section}.password`);
        } catch {
          this.logger.warn(
            `Project ${projectId}: the stored ${section}.password opens with neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS; PUT it again`,
          );
        }
      }
      if (changedFields.length === 0) return null;
      channel.imapPasswordSealed = settings.imap.password.sealed;
      channel.smtpPasswordSealed = settings.smtp.password.sealed;
      return { action: 'email_channel.passwords_resealed', changedFields, event: null };
    });
    return state.channel !== null && !this.needsResealing(state.channel);
  }
}
