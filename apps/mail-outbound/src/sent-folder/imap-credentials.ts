import type { ImapSettings, SealedSecret } from '@ensoras/contracts';
import type { ImapConnectionSettings } from '@ensoras/mail';
import { channelPasswordContext, type SecretBox } from '@ensoras/secrets';

/** A channel whose IMAP side can log in with the password channel-config sealed. */
export interface ImapChannel {
  projectId: string;
  imap: ImapSettings & { password: SealedSecret };
}

/**
 * The IMAP login of a channel: its settings with the clear-text password, opened in memory only (never logged or
 * stored). The one place that turns stored credentials into a login, so another kind (an OAuth2 access token)
 * changes only this. Throws when the sealed password cannot be opened with this service's key.
 */
export function imapLoginOf(channel: ImapChannel, secrets: SecretBox): ImapConnectionSettings {
  const password = secrets.open(channel.imap.password, channelPasswordContext(channel.projectId, 'imap', channel.imap));
  return { ...channel.imap, password };
}
