import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  ChannelConfigured,
  ChannelDisabled,
  ChannelEnabled,
  ChannelResumed,
  createEnvelope,
  type EmailChannelView,
  type PatchEmailChannelDto,
  type PutEmailChannelDto,
  type OAuthProvider,
  type TestConnectionResult,
} from '@ensoras/contracts';
import { classifyConnectionError, OAuthGrantRevokedError } from '@ensoras/mail';
import { channelPasswordContext, SecretBox } from '@ensoras/secrets';
import { OAuthGrants } from '../oauth/oauth-grants.service.js';
import { OAuthProviders } from '../oauth/oauth-providers.js';
import { ProjectChanges, type ProjectChange, type ProjectState } from '../projects/project-changes.service.js';
import { currentPauses, pausedDirections } from './channel-pauses.js';
import { missingSections, notReadyReason } from './channel-readiness.js';
import { ConnectionTester, connectionTestSummary, type SideCredential } from './connection-test.service.js';
import { EmailChannelEntity } from './email-channel.entity.js';
import { emailChannelView } from './email-channel.view.js';
import { affectsConnection, settingsFromPatch, settingsFromPut, type SettingsChange } from './settings-merge.js';

@Injectable()
export class EmailChannelService {
  constructor(
    private readonly changes: ProjectChanges,
    private readonly secretBox: SecretBox,
    private readonly tester: ConnectionTester,
    private readonly oauthGrants: OAuthGrants,
    private readonly oauthProviders: OAuthProviders,
  ) {}

  async get(projectId: string): Promise<EmailChannelView> {
    const view = emailChannelView(requireChannel((await this.changes.read(projectId)).channel, projectId));
    return { ...view, oauth: await this.oauthGrants.connections(projectId) };
  }

  /** Sealing for a merge, with the hosts an OAuth2 direction may name. */
  private sealing(projectId: string) {
    return { projectId, box: this.secretBox, oauthMailHosts: (provider: OAuthProvider) => this.oauthProviders.mailHosts(provider) };
  }

  /** The whole channel: defaults for optional settings left out, stored passwords kept when left out. */
  async put(projectId: string, body: PutEmailChannelDto): Promise<EmailChannelView> {
    const state = await this.changes.apply(projectId, async (current) =>
      this.store(current, await settingsFromPut(body, current.channel?.settings() ?? null, this.sealing(projectId)), 'email_channel.configured'),
    );
    return emailChannelView(requireChannel(state.channel, projectId));
  }

  /** Only what the body names changes, field by field; the merged whole is validated again. */
  async patch(projectId: string, body: PatchEmailChannelDto): Promise<EmailChannelView> {
    const state = await this.changes.apply(projectId, async (current) => {
      const stored = current.channel?.settings() ?? null;
      const change = await settingsFromPatch(body, stored, this.sealing(projectId));
      return this.store(current, change, stored ? 'email_channel.updated' : 'email_channel.configured');
    });
    return emailChannelView(requireChannel(state.channel, projectId));
  }

  /** 409 with the reason while IMAP, SMTP or the identity is missing; enabling an enabled channel changes nothing. */
  async enable(projectId: string): Promise<EmailChannelView> {
    const state = await this.changes.apply(projectId, (current): ProjectChange | null => {
      const missing = missingSections(current.channel);
      if (missing.length > 0 || !current.channel) {
        throw new ConflictException({ statusCode: 409, error: 'Conflict', message: notReadyReason(missing), missing });
      }
      if (current.channel.enabled) return null;
      current.channel.enabled = true;
      current.channel.updatedAt = current.now;
      return { action: 'email_channel.enabled', changedFields: ['enabled'], event: ChannelEnabled };
    });
    return emailChannelView(requireChannel(state.channel, projectId));
  }

  async disable(projectId: string): Promise<EmailChannelView> {
    const state = await this.changes.apply(projectId, (current): ProjectChange | null => {
      const channel = requireChannel(current.channel, projectId);
      if (!channel.enabled) return null;
      channel.enabled = false;
      channel.updatedAt = current.now;
      return { action: 'email_channel.disabled', changedFields: ['enabled'], event: ChannelDisabled };
    });
    return emailChannelView(requireChannel(state.channel, projectId));
  }

  /**
   * A new revision for the paused directions (mail-ingest and mail-outbound log in again with it, and held replies
   * go out), with channel.email.resumed; the pauses are cleared as by every new revision. Nothing paused: nothing
   * changes, no revision.
   */
  async resume(projectId: string): Promise<EmailChannelView> {
    const state = await this.changes.apply(projectId, (current): ProjectChange | null => {
      const channel = requireChannel(current.channel, projectId);
      const directions = pausedDirections(currentPauses({ imap: channel.imapPause, smtp: channel.smtpPause }, current.project.revision));
      if (directions.length === 0) return null;
      return {
        action: 'email_channel.resumed',
        changedFields: directions.map((direction) => `${direction}.paused`),
        event: null,
        alsoAnnounce: (revision, now) => createEnvelope(ChannelResumed, projectId, { projectId, revision, directions, resumedAt: now.toISOString() }),
      };
    });
    return emailChannelView(requireChannel(state.channel, projectId));
  }

  /**
   * Runs against the stored settings (passwords opened in memory only). The result is kept on the channel unless
   * the connection settings changed while the test ran, since then it would describe settings that are gone.
   */
  async testConnection(projectId: string): Promise<TestConnectionResult> {
    const { channel } = await this.changes.read(projectId);
    if (!channel) {
      throw new ConflictException('The email channel is not configured: PUT its settings before testing the connection');
    }
    const settings = channel.settings();
    const result = await this.tester.test(settings, await this.credentials(channel));
    const summary = connectionTestSummary(result, new Date());
    await this.changes.withProjectLocked(projectId, async (manager, current) => {
      if (!current.channel || connectionOf(current.channel) !== connectionOf(channel)) return;
      await manager.update(EmailChannelEntity, { projectId }, { lastConnectionTest: summary });
    });
    return result;
  }

  private store(state: ProjectState, change: SettingsChange, action: ProjectChange['action']): ProjectChange | null {
    if (change.changedFields.length === 0) return null;
    const channel = state.channel ?? Object.assign(new EmailChannelEntity(), { projectId: state.project.projectId, enabled: false });
    channel.assignSettings(change.settings);
    channel.updatedAt = state.now;
    if (!state.channel || affectsConnection(change.changedFields)) channel.lastConnectionTest = null;
    state.channel = channel;
    return { action, changedFields: change.changedFields, event: ChannelConfigured };
  }

  /** Per side: the opened password, or the grant's current access token (refreshed when due), or why there is none. */
  private async credentials(channel: EmailChannelEntity): Promise<{ imap: SideCredential; smtp: SideCredential }> {
    const settings = channel.settings();
    const sideCredential = async (section: 'imap' | 'smtp'): Promise<SideCredential> => {
      const { auth } = settings[section];
      if (auth.type === 'password') return { password: this.openPassword(channel, section) };
      const token = await this.oauthGrants.accessToken(channel.projectId, auth.provider);
      if ('accessToken' in token) return { accessToken: token.accessToken };
      const target = { ...settings[section], credential: 'oauth2' as const };
      const error =
        'revoked' in token
          ? classifyConnectionError(new OAuthGrantRevokedError(auth.provider), section, target)
          : { code: 'auth_failed' as const, message: token.unavailable, hint: 'Connect the mailbox with OAuth (POST …/channels/email/oauth/start), then test again.' };
      return { failed: { ok: false, error } };
    };
    return { imap: await sideCredential('imap'), smtp: await sideCredential('smtp') };
  }

  private openPassword(channel: EmailChannelEntity, section: 'imap' | 'smtp'): string {
    const settings = channel.settings()[section];
    try {
      return this.secretBox.open(settings.password, channelPasswordContext(channel.projectId, section, settings));
    } catch {
      throw new ConflictException(
        'The stored passwords cannot be opened with SECRETS_KEY or SECRETS_KEY_PREVIOUS (was the key changed without keeping the old one as SECRETS_KEY_PREVIOUS?): PUT the passwords again',
      );
    }
  }
}

export function requireChannel(channel: EmailChannelEntity | null, projectId: string): EmailChannelEntity {
  if (!channel) throw new NotFoundException(`The email channel of project ${projectId} is not configured`);
  return channel;
}

/** The settings a connection test depends on, sealed passwords included, as one comparable string. */
function connectionOf(channel: EmailChannelEntity): string {
  const { imap, smtp } = channel.settings();
  const { markAsRead: _markAsRead, ...imapConnection } = imap;
  return JSON.stringify({ imap: imapConnection, smtp });
}
