import { Injectable } from '@nestjs/common';
import { mailAuthOf } from '@ensoras/contracts';
import { AccessTokenUnavailableError, accessTokenFrom, OAuthGrantRevokedError, type MailCredential } from '@ensoras/mail';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { channelAccessTokenContext, channelPasswordContext, SecretBox } from '@ensoras/secrets';
import type { DeliveryFailure } from './send-failure.js';
import type { SendingChannel } from './smtp-transports.js';

/** The SMTP password could not be opened: every service must hold the key channel-config sealed it with. */
export class PasswordUnreadableError extends Error {
  override readonly name = 'PasswordUnreadableError';
}

/**
 * How a send logs in, asked for each send: the snapshot's sealed SMTP password, opened; or, for `smtp.auth` oauth2,
 * the access token channel-config published for this direction, opened for these settings. A new token (or
 * password) differs from the pool's, and SmtpTransports then builds a new pool with it.
 */
@Injectable()
export class SmtpCredentials {
  constructor(
    private readonly secrets: SecretBox,
    private readonly tokens: OAuthAccessTokenReplica,
  ) {}

  async of(channel: SendingChannel): Promise<MailCredential> {
    const { projectId, smtp } = channel;
    const auth = mailAuthOf(smtp);
    if (auth.type === 'password') {
      try {
        if (!smtp.password) throw new Error('no password');
        return { password: this.secrets.open(smtp.password, channelPasswordContext(projectId, 'smtp', smtp)) };
      } catch {
        throw new PasswordUnreadableError('The stored SMTP password cannot be opened');
      }
    }
    await this.tokens.whenReady();
    const accessToken = accessTokenFrom(this.tokens.get(projectId, 'smtp'), auth.provider, (sealed) =>
      this.secrets.open(sealed, channelAccessTokenContext(projectId, 'smtp', smtp)),
    );
    return { accessToken };
  }
}

/**
 * What a send that got no credential comes to: a revoked grant is an authentication failure (auth_failed, with the
 * reason, as a refused password is); no token yet or an expired one is transient (retried with the usual back-off,
 * channel-config publishes a fresh one); an unreadable password is permanent until someone fixes the key.
 */
export function credentialFailure(error: unknown): DeliveryFailure {
  if (error instanceof OAuthGrantRevokedError) {
    return { code: 'auth_failed', reason: `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`, permanent: true };
  }
  if (error instanceof AccessTokenUnavailableError) {
    return { code: 'oauth_token_unavailable', reason: `No SMTP access token to send with: ${error.message}.`, permanent: false };
  }
  return {
    code: 'credentials_unreadable',
    reason: "The stored SMTP password cannot be opened with this service's SECRETS_KEY; every service must use the same key. Save the password again after fixing it.",
    permanent: true,
  };
}
