import { Injectable } from '@nestjs/common';
import { mailAuthOf } from '@ensoras/contracts';
import { accessTokenFrom, type MailCredential } from '@ensoras/mail';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { channelAccessTokenContext, channelPasswordContext, SecretBox } from '@ensoras/secrets';
import type { WatchableChannel } from './mailbox-watcher.js';

/**
 * How a watcher logs in, asked at every connect (a new password, key or access token needs no restart): the sealed
 * password of the snapshot, opened; or, for `imap.auth` oauth2, the access token channel-config published for this
 * direction, opened for these settings. Throws OAuthGrantRevokedError (an authentication failure) for a revoked
 * grant and AccessTokenUnavailableError (retried with the usual back-off) while no usable token is there.
 */
@Injectable()
export class ImapCredentials {
  constructor(
    private readonly secrets: SecretBox,
    private readonly tokens: OAuthAccessTokenReplica,
  ) {}

  async of(channel: WatchableChannel): Promise<MailCredential> {
    const { projectId, imap } = channel;
    const auth = mailAuthOf(imap);
    if (auth.type === 'password') {
      if (!imap.password) throw new Error('The channel has no IMAP password (and does not use OAuth2)');
      try {
        return { password: this.secrets.open(imap.password, channelPasswordContext(projectId, 'imap', imap)) };
      } catch {
        throw new Error('The IMAP password cannot be opened with this SECRETS_KEY (sealed with another key?)');
      }
    }
    await this.tokens.whenReady();
    const accessToken = accessTokenFrom(this.tokens.get(projectId, 'imap'), auth.provider, (sealed) =>
      this.secrets.open(sealed, channelAccessTokenContext(projectId, 'imap', imap)),
    );
    return { accessToken };
  }
}
