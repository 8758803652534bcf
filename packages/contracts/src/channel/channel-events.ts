import { defineEvent } from '../events/envelope.js';
import type { EmailIdentity, ImapSettings, ResponseDelay, SmtpSettings } from './channel-settings.js';

/** What other services may know of a channel change: never a password, sealed or not. */
export interface ChannelChangedPayload {
  projectId: string;
  enabled: boolean;
  revision: number;
  imap: ImapSettings | null;
  smtp: SmtpSettings | null;
  identity: EmailIdentity | null;
  guidelines: string;
  responseDelay: ResponseDelay;
}

export const ChannelConfigured = defineEvent<ChannelChangedPayload>('channel', 'email.configured');
export const ChannelEnabled = defineEvent<ChannelChangedPayload>('channel', 'email.enabled');
export const ChannelDisabled = defineEvent<ChannelChangedPayload>('channel', 'email.disabled');
