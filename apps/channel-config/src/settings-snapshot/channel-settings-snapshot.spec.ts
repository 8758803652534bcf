import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { aiModeOf, DEFAULT_CHANNEL_SAFETY, DEFAULT_HANDOFF, handoffOf, PutEmailChannelDto, sentFolderOf } from '@ensoras/contracts';
import { SecretBox } from '@ensoras/secrets';
import { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import { settingsFromPut } from '../email-channel/settings-merge.js';
import { ProjectEntity } from '../projects/project.entity.js';
import { channelChangedPayload, channelSettingsSnapshot } from './channel-settings-snapshot.js';

const project = Object.assign(new ProjectEntity(), {
  projectId: 'p1',
  revision: 4,
  communicationStyle: 'Warm and brief',
  configurationUpdatedAt: new Date('2025-11-25T10:00:00Z'),
  updatedAt: new Date('2025-11-25T11:00:00Z'),
});

async function configuredChannel(extra: Record<string, unknown> = {}): Promise<EmailChannelEntity> {
  const body = plainToInstance(PutEmailChannelDto, {
    imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'u', password: 'imap-secret' },
    smtp: { host: 'smtp.example.test', port: 465, encryption: 'ssl', username: 'u', password: 'smtp-secret' },
    identity: { fromEmail: 'support@example.test', fromName: 'Support' },
    safety: { maxMessageSizeMb: 5, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 3, loopWindowMinutes: 20 },
    ...extra,
  });
  const channel = Object.assign(new EmailChannelEntity(), { projectId: 'p1', enabled: true });
  channel.assignSettings((await settingsFromPut(body, null, { projectId: 'p1', box: new SecretBox(randomBytes(32)) })).settings);
  return channel;
}

describe('channel settings snapshot', () => {
  it('carries the style, revision and sealed passwords; the event payload carries no password at all', async () => {
    const snapshot = channelSettingsSnapshot(project, await configuredChannel());
    expect(snapshot).toMatchObject({ projectId: 'p1', enabled: true, revision: 4, communicationStyle: 'Warm and brief' });
    expect(snapshot.imap?.password?.sealed).toMatch(/^v2\./);
    expect(snapshot.safety).toEqual({ maxMessageSizeMb: 5, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 3, loopWindowMinutes: 20, maxAiRepliesPerHour: 300 });
    expect(JSON.stringify(snapshot)).not.toMatch(/imap-secret|smtp-secret/);

    const payload = channelChangedPayload(snapshot);
    expect(JSON.stringify(payload)).not.toMatch(/password|v1\./);
    expect(payload.imap).not.toHaveProperty('auth');
    expect(payload.imap).toMatchObject({ host: 'imap.example.test', port: 993 });
  });

  it('carries the AI mode and the handoff acknowledgement as stored, the defaults when none were given', async () => {
    const handoff = { acknowledge: true, text: 'Thanks, a colleague will answer you.' };
    const drafting = channelSettingsSnapshot(project, await configuredChannel({ aiMode: 'draft', handoff }));
    expect(drafting).toMatchObject({ aiMode: 'draft', handoff });
    expect(aiModeOf(drafting)).toBe('draft');
    expect(handoffOf(drafting)).toEqual(handoff);
    // Only the KV snapshot carries them; the channel event stays as it was.
    expect(channelChangedPayload(drafting)).not.toHaveProperty('aiMode');

    const plain = channelSettingsSnapshot(project, await configuredChannel());
    expect(plain).toMatchObject({ aiMode: 'auto', handoff: DEFAULT_HANDOFF });
  });

  it('carries the Sent folder setting as stored, append by default', async () => {
    const off = channelSettingsSnapshot(project, await configuredChannel({ sentFolder: { append: false } }));
    expect(off.sentFolder).toEqual({ append: false });
    expect(sentFolderOf(off)).toEqual({ append: false });
    expect(channelSettingsSnapshot(project, await configuredChannel()).sentFolder).toEqual({ append: true });
    expect(channelSettingsSnapshot(project, null).sentFolder).toEqual({ append: true });
  });

  it('for a project with a style but no channel: channel parts null, disabled, default delay and safety', () => {
    const snapshot = channelSettingsSnapshot(project, null);
    expect(snapshot).toMatchObject({ aiMode: 'auto', handoff: DEFAULT_HANDOFF });
    expect(snapshot).toMatchObject({ enabled: false, imap: null, smtp: null, identity: null, guidelines: '' });
    expect(snapshot.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect(snapshot.safety).toEqual(DEFAULT_CHANNEL_SAFETY);
    expect(snapshot.communicationStyle).toBe('Warm and brief');
  });
});
