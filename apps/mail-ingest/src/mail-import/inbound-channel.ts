import { channelSafetyOf, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import { domainOf } from '@ensoras/mail';
import type { ChannelAddresses } from './mail-received.builder.js';

const MEGABYTE = 1024 * 1024;

/**
 * What parsing needs to know of a channel: its own addresses (From address, IMAP username) so our own mail is
 * recognised, the domain of the Message-IDs ticketing gives our replies, and the size limit from its safety settings.
 */
export function inboundChannelOf(settings: ChannelSettingsSnapshot | undefined): ChannelAddresses {
  const identity = settings?.identity ?? null;
  return {
    ownAddresses: [identity?.fromEmail, settings?.imap?.username].filter((address): address is string => !!address),
    ownMessageIdDomain: identity ? domainOf(identity.fromEmail) || null : null,
    maxMessageSizeBytes: channelSafetyOf(settings).maxMessageSizeMb * MEGABYTE,
  };
}
