import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { PutEmailChannelDto } from '@ensoras/contracts';
import { SecretBox } from '@ensoras/secrets';
import { missingSections, notReadyReason } from './channel-readiness.js';
import { EmailChannelEntity } from './email-channel.entity.js';
import { settingsFromPut } from './settings-merge.js';

describe('channel readiness', () => {
  it('names IMAP first while nothing is configured', () => {
    expect(missingSections(null)).toEqual(['imap', 'smtp', 'identity']);
    expect(notReadyReason(missingSections(null))).toBe('IMAP is not configured');
  });

  it('finds nothing missing on a configured channel, and names what an incomplete row lacks', async () => {
    const body = plainToInstance(PutEmailChannelDto, {
      imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'u', password: 'p' },
      smtp: { host: 'smtp.example.test', port: 465, encryption: 'ssl', username: 'u', password: 'p' },
      identity: { fromEmail: 'support@example.test', fromName: 'Support' },
    });
    const channel = new EmailChannelEntity();
    channel.assignSettings((await settingsFromPut(body, null, { projectId: 'acme', box: new SecretBox(randomBytes(32)) })).settings);
    expect(missingSections(channel)).toEqual([]);
    // The AI mode says whether the AI answers, not whether the channel works: off and draft may be enabled too.
    for (const aiMode of ['off', 'draft'] as const) {
      channel.aiMode = aiMode;
      expect(missingSections(channel), aiMode).toEqual([]);
    }
    channel.smtpHost = '';
    expect(notReadyReason(missingSections(channel))).toBe('SMTP is not configured');
  });

  it('counts a direction with oauth2 as configured without a password', async () => {
    const body = plainToInstance(PutEmailChannelDto, {
      imap: { host: 'imap.gmail.com', port: 993, encryption: 'ssl', username: 'u@example.test', auth: { type: 'oauth2', provider: 'google' } },
      smtp: { host: 'smtp.gmail.com', port: 465, encryption: 'ssl', username: 'u@example.test', auth: { type: 'oauth2', provider: 'google' } },
      identity: { fromEmail: 'support@example.test', fromName: 'Support' },
    });
    const channel = new EmailChannelEntity();
    channel.assignSettings((await settingsFromPut(body, null, { projectId: 'acme', box: new SecretBox(randomBytes(32)) })).settings);
    expect(channel.imapPasswordSealed).toBe('');
    expect(missingSections(channel)).toEqual([]);
    channel.smtpOAuthProvider = null;
    expect(missingSections(channel)).toEqual(['smtp']);
  });
});
