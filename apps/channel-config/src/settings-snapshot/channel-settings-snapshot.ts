import {
  DEFAULT_AI_MODE,
  DEFAULT_CHANNEL_SAFETY,
  DEFAULT_HANDOFF,
  DEFAULT_SENT_FOLDER,
  type ChannelChangedPayload,
  type ChannelSettingsSnapshot,
  type SealedSecret,
} from '@ensoras/contracts';
import { DEFAULT_RESPONSE_DELAY } from '../email-channel/email-channel-settings.js';
import type { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import type { ProjectEntity } from '../projects/project.entity.js';

/**
 * The replicated read model of a project (KV `channel-settings`): everything the other services need, passwords
 * sealed. A project with a communication style but no channel yet gets one too, with the channel parts empty.
 */
export function channelSettingsSnapshot(project: ProjectEntity, channel: EmailChannelEntity | null): ChannelSettingsSnapshot {
  const settings = channel?.settings() ?? null;
  return {
    projectId: project.projectId,
    enabled: channel?.enabled ?? false,
    revision: project.revision,
    updatedAt: project.updatedAt.toISOString(),
    communicationStyle: project.communicationStyle,
    imap: settings ? withoutEmptyPassword(settings.imap) : null,
    smtp: settings ? withoutEmptyPassword(settings.smtp) : null,
    identity: settings ? settings.identity : null,
    guidelines: settings?.guidelines ?? '',
    responseDelay: settings ? settings.responseDelay : { ...DEFAULT_RESPONSE_DELAY },
    safety: settings ? settings.safety : { ...DEFAULT_CHANNEL_SAFETY },
    ...(settings ? { import: settings.import } : {}),
    aiMode: settings ? settings.aiMode : DEFAULT_AI_MODE,
    handoff: settings ? settings.handoff : { ...DEFAULT_HANDOFF },
    sentFolder: settings ? settings.sentFolder : { ...DEFAULT_SENT_FOLDER },
  };
}

/** The payload of channel events: the snapshot without any password, sealed or not, and without the style. */
export function channelChangedPayload(snapshot: ChannelSettingsSnapshot): ChannelChangedPayload {
  // Neither the password nor how the direction logs in (`auth`, in the KV snapshot for the services that log in).
  const withoutPassword = <T extends { password?: unknown; auth?: unknown }>(section: T | null): Omit<T, 'password' | 'auth'> | null => {
    if (!section) return null;
    const { password: _password, auth: _auth, ...rest } = section;
    return rest;
  };
  return {
    projectId: snapshot.projectId,
    enabled: snapshot.enabled,
    revision: snapshot.revision,
    imap: withoutPassword(snapshot.imap),
    smtp: withoutPassword(snapshot.smtp),
    identity: snapshot.identity,
    guidelines: snapshot.guidelines,
    responseDelay: snapshot.responseDelay,
  };
}

/** A direction that logs in with OAuth2 keeps no password: the snapshot then has none (not an empty sealed one). */
function withoutEmptyPassword<T extends { password: SealedSecret }>(section: T): T | Omit<T, 'password'> {
  if (section.password.sealed !== '') return section;
  const { password: _none, ...rest } = section;
  return rest;
}
