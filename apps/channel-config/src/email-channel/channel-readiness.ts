import type { EmailChannelEntity } from './email-channel.entity.js';

export type ChannelSection = 'imap' | 'smtp' | 'identity';

const REASONS: Record<ChannelSection, string> = {
  imap: 'IMAP is not configured',
  smtp: 'SMTP is not configured',
  identity: 'The sender identity (fromEmail, fromName) is not configured',
};

/** The parts a channel needs before it may be enabled: a way in (IMAP), a way out (SMTP) and who it speaks as. */
export function missingSections(channel: EmailChannelEntity | null): ChannelSection[] {
  if (!channel) return ['imap', 'smtp', 'identity'];
  const filled = (...values: unknown[]) => values.every((value) => value !== null && value !== undefined && value !== '');
  const missing: ChannelSection[] = [];
  // A direction logs in with its password or, with `auth` oauth2, with the provider's token (which may come later:
  // ingest and outbound wait for it, as for a server that is down).
  const imapLogin = channel.imapOAuthProvider ?? channel.imapPasswordSealed;
  const smtpLogin = channel.smtpOAuthProvider ?? channel.smtpPasswordSealed;
  if (!filled(channel.imapHost, channel.imapPort, channel.imapUsername, imapLogin)) missing.push('imap');
  if (!filled(channel.smtpHost, channel.smtpPort, channel.smtpUsername, smtpLogin)) missing.push('smtp');
  if (!filled(channel.fromEmail, channel.fromName)) missing.push('identity');
  return missing;
}

/** The reason an admin reads in the 409: the first missing part, the way the spec's setup order goes. */
export function notReadyReason(missing: ChannelSection[]): string {
  return REASONS[missing[0]];
}
