import { Injectable } from '@nestjs/common';
import { mailAuthOf, type ImapSettings, type SealedSecret } from '@ensoras/contracts';
import { accessTokenFrom, type ImapConnectionSettings } from '@ensoras/mail';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { channelAccessTokenContext, channelPasswordContext, SecretBox } from '@ensoras/secrets';

/** A channel whose IMAP side can log in: with the password channel-config sealed, or (oauth2) an access token. */
export interface ImapChannel {
  projectId: string;
  imap: ImapSettings & { password?: SealedSecret };
}

/** The sealed IMAP password cannot be opened with this service's key: only fixing the key helps. */
export class ImapPasswordUnreadableError extends Error {
  override readonly name = 'ImapPasswordUnreadableError';
}

/**
 * The IMAP login of a channel for appending Sent copies, opened in memory only (never logged or stored): the sealed
 * password, or for `imap.auth` oauth2 the access token channel-config published for the IMAP direction. Throws
 * ImapPasswordUnreadableError (permanent), AccessTokenUnavailableError (no token yet: retried) or
 * OAuthGrantRevokedError (the grant was revoked: retried, in case the mailbox is connected again).
 */
@Injectable()
export class SentFolderLogins {
  constructor(
    private readonly secrets: SecretBox,
    private readonly tokens: OAuthAccessTokenReplica,
  ) {}

  async of(channel: ImapChannel): Promise<ImapConnectionSettings> {
    const { projectId, imap } = channel;
    const auth = mailAuthOf(imap);
    if (auth.type === 'password') {
      try {
        if (!imap.password) throw new Error('no password');
        return { ...imap, password: this.secrets.open(imap.password, channelPasswordContext(projectId, 'imap', imap)) };
      } catch {
        throw new ImapPasswordUnreadableError('The stored IMAP password cannot be opened');
      }
    }
    await this.tokens.whenReady();
    const accessToken = accessTokenFrom(this.tokens.get(projectId, 'imap'), auth.provider, (sealed) =>
      this.secrets.open(sealed, channelAccessTokenContext(projectId, 'imap', imap)),
    );
    return { ...imap, accessToken, password: undefined };
  }
}
