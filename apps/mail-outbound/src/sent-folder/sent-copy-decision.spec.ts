import type { ChannelSettingsSnapshot } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { afterFailedAppend, MAX_SENT_COPY_ATTEMPTS, planSentCopy } from './sent-copy-decision.js';

const sealed = { sealed: 'v2.k.x' };
const channel: ChannelSettingsSnapshot = {
  projectId: 'shop',
  enabled: true,
  revision: 3,
  updatedAt: '2026-12-01T10:00:00.000Z',
  communicationStyle: '',
  imap: { host: 'imap.shop.example', port: 993, encryption: 'ssl', username: 'support@shop.example', validateCertificate: true, markAsRead: false, password: sealed },
  smtp: { host: 'mail.shop.example', port: 587, encryption: 'tls', username: 'support@shop.example', validateCertificate: true, password: sealed },
  identity: { fromEmail: 'support@shop.example', fromName: 'Shop', signatureHtml: '' },
  guidelines: '',
  responseDelay: { minSeconds: 0, maxSeconds: 0 },
};

describe('whether a sent reply gets a copy in the Sent folder', () => {
  it('does for a channel with IMAP, the setting on, and an SMTP server that files nothing itself', () => {
    expect(planSentCopy({ ...channel, sentFolder: { append: true } })).toEqual({ state: 'pending' });
  });

  it('does for a snapshot written before the setting existed', () => {
    expect(planSentCopy(channel)).toEqual({ state: 'pending' });
  });

  it('is skipped, saying why, when the setting is off', () => {
    const plan = planSentCopy({ ...channel, sentFolder: { append: false } });
    expect(plan).toMatchObject({ state: 'skipped' });
    expect(plan.state === 'skipped' && plan.reason).toMatch(/sentFolder\.append/);
  });

  it('is skipped for Gmail and Microsoft 365 submission, naming the provider and host', () => {
    const gmail = planSentCopy({ ...channel, smtp: { ...channel.smtp!, host: 'smtp.gmail.com' } });
    expect(gmail).toEqual({ state: 'skipped', reason: 'Gmail / Google Workspace files mail sent through smtp.gmail.com in the Sent folder itself.' });
    expect(planSentCopy({ ...channel, smtp: { ...channel.smtp!, host: 'smtp.office365.com' } })).toMatchObject({ state: 'skipped' });
    // The IMAP host does not decide: mail sent through another SMTP server is not filed by Google.
    expect(planSentCopy({ ...channel, imap: { ...channel.imap!, host: 'imap.gmail.com' } })).toEqual({ state: 'pending' });
  });

  it('is skipped without IMAP settings, without a channel, and for a disabled channel', () => {
    expect(planSentCopy({ ...channel, imap: null })).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/no IMAP settings/) });
    expect(planSentCopy(undefined)).toMatchObject({ state: 'skipped' });
    expect(planSentCopy({ ...channel, enabled: false })).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/disabled/) });
  });
});

describe('after a failed append', () => {
  it('retries with growing pauses, the first after 5 seconds', () => {
    const delays = Array.from({ length: MAX_SENT_COPY_ATTEMPTS - 1 }, (_, index) => afterFailedAppend(index + 1, false));
    expect(delays.map((next) => (next.state === 'pending' ? next.retryInMs : null))).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000]);
  });

  it('fails the copy at the last attempt, and at once for a permanent failure', () => {
    expect(afterFailedAppend(MAX_SENT_COPY_ATTEMPTS, false)).toEqual({ state: 'failed' });
    expect(afterFailedAppend(MAX_SENT_COPY_ATTEMPTS + 3, false)).toEqual({ state: 'failed' });
    expect(afterFailedAppend(1, true)).toEqual({ state: 'failed' });
  });
});
