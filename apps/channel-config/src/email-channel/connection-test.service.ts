import { Injectable } from '@nestjs/common';
import type { ConnectionCheck, ConnectionTestSummary, TestConnectionResult } from '@ensoras/contracts';
import { testImapConnection, testSmtpConnection } from '@ensoras/mail';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';
import type { EmailChannelSettings } from './email-channel-settings.js';

/** Test Connection: a real IMAP login + SELECT INBOX and a real SMTP EHLO + AUTH, side by side, each with a deadline. */
@Injectable()
export class ConnectionTester {
  constructor(private readonly environment: ChannelConfigEnvironment) {}

  /** Passwords arrive opened, live only in this call, and are never part of what it returns. */
  async test(settings: EmailChannelSettings, passwords: { imap: string; smtp: string }): Promise<TestConnectionResult> {
    const options = { timeoutMs: this.environment.TEST_CONNECTION_TIMEOUT_MS };
    const [imap, smtp] = await Promise.all([
      testImapConnection({ ...settings.imap, password: passwords.imap }, options),
      testSmtpConnection({ ...settings.smtp, password: passwords.smtp }, options),
    ]);
    return { imap, smtp };
  }
}

/** What is kept of a run: ok flags and codes only. Messages name hosts and echo server text, so they are not stored. */
export function connectionTestSummary(result: TestConnectionResult, testedAt: Date): ConnectionTestSummary {
  const side = (check: ConnectionCheck) => (check.ok ? { ok: true } : { ok: false, code: check.error?.code ?? 'unknown' });
  return { testedAt: testedAt.toISOString(), imap: side(result.imap), smtp: side(result.smtp) };
}
