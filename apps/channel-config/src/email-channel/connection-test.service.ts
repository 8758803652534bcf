import { Injectable } from '@nestjs/common';
import type { ConnectionCheck, ConnectionTestSummary, TestConnectionResult } from '@ensoras/contracts';
import { testImapConnection, testSmtpConnection, type MailCredential } from '@ensoras/mail';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';
import type { EmailChannelSettings } from './email-channel-settings.js';

/** Test Connection: a real IMAP login + SELECT INBOX and a real SMTP EHLO + AUTH, side by side, each with a deadline. */
@Injectable()
export class ConnectionTester {
  constructor(private readonly environment: ChannelConfigEnvironment) {}

  /**
   * Credentials (a password or an OAuth2 access token) arrive opened, live only in this call, and are never part of
   * what it returns. A side whose credential could not be had (a revoked grant) arrives as its failed check.
   */
  async test(settings: EmailChannelSettings, credentials: { imap: SideCredential; smtp: SideCredential }): Promise<TestConnectionResult> {
    const options = { timeoutMs: this.environment.TEST_CONNECTION_TIMEOUT_MS };
    const { imap: imapSettings, smtp: smtpSettings } = withoutStoredSecrets(settings);
    const [imap, smtp] = await Promise.all([
      'failed' in credentials.imap ? credentials.imap.failed : testImapConnection({ ...imapSettings, ...credentials.imap }, options),
      'failed' in credentials.smtp ? credentials.smtp.failed : testSmtpConnection({ ...smtpSettings, ...credentials.smtp }, options),
    ]);
    return { imap, smtp };
  }
}

export type SideCredential = MailCredential | { failed: ConnectionCheck };

function withoutStoredSecrets(settings: EmailChannelSettings) {
  const { password: _imapPassword, auth: _imapAuth, ...imap } = settings.imap;
  const { password: _smtpPassword, auth: _smtpAuth, ...smtp } = settings.smtp;
  return { imap, smtp };
}

/** What is kept of a run: ok flags and codes only. Messages name hosts and echo server text, so they are not stored. */
export function connectionTestSummary(result: TestConnectionResult, testedAt: Date): ConnectionTestSummary {
  const side = (check: ConnectionCheck) => (check.ok ? { ok: true } : { ok: false, code: check.error?.code ?? 'unknown' });
  return { testedAt: testedAt.toISOString(), imap: side(result.imap), smtp: side(result.smtp) };
}
