import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  OAUTH_ACCESS_TOKEN_BUCKET,
  oauthAccessTokenKey,
  type MailDirection,
  type OAuthAccessTokenEntry,
} from '@ensoras/contracts';
import { ChannelSettingsReplica, KeyValueBuckets } from '@ensoras/messaging';
import { channelAccessTokenContext, oauthSecretContext, SecretBox } from '@ensoras/secrets';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import { OAuthGrantEntity } from './oauth-grant.entity.js';

const DIRECTIONS: MailDirection[] = ['imap', 'smtp'];

/**
 * Keeps the `oauth-access-tokens` bucket equal to the database for each direction that logs in with OAuth2: the
 * current access token sealed for that direction's connection settings, or `revoked`; no entry for a direction that
 * uses a password or has no grant yet. Re-published after every refresh, every consent and every settings change (a
 * new host or username needs the token sealed anew), the last one seen through the channel-settings bucket itself.
 * A write that fails is retried by the refresher's next tick.
 */
@Injectable()
export class AccessTokenPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccessTokenPublisher.name);
  private readonly pending = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  private subscription: Subscription | undefined;
  private started = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly buckets: KeyValueBuckets,
    private readonly box: SecretBox,
    private readonly replica: ChannelSettingsReplica,
  ) {}

  /** Nest may run bootstrap hooks twice (HTTP app and JetStream microservice); subscribe once. */
  onApplicationBootstrap(): void {
    if (this.started) return;
    this.started = true;
    this.subscription = this.replica.changes.subscribe(({ projectId }) => void this.publish(projectId));
    void this.publishAll().catch((error: unknown) => this.logger.warn(`Access tokens not published at start, retrying: ${describe(error)}`));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** Every project with a grant: at start (the bucket may have missed writes while this service was away). */
  async publishAll(): Promise<void> {
    const grants = await this.dataSource.manager.find(OAuthGrantEntity, { select: { projectId: true } });
    for (const projectId of new Set(grants.map((grant) => grant.projectId))) this.pending.add(projectId);
    await this.retryPending();
  }

  /** Writes the project's entries now (one project at a time, in order); a failure leaves it for retryPending. */
  publish(projectId: string): Promise<void> {
    const previous = this.queues.get(projectId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        await this.write(projectId);
        this.pending.delete(projectId);
      } catch (error) {
        this.pending.add(projectId);
        this.logger.warn(`Access tokens of ${projectId} not published yet: ${describe(error)}`);
      }
    });
    this.queues.set(projectId, next);
    void next.finally(() => {
      if (this.queues.get(projectId) === next) this.queues.delete(projectId);
    });
    return next;
  }

  async retryPending(): Promise<void> {
    for (const projectId of [...this.pending]) await this.publish(projectId);
  }

  private async write(projectId: string): Promise<void> {
    const channel = await this.dataSource.manager.findOneBy(EmailChannelEntity, { projectId });
    const grants = await this.dataSource.manager.findBy(OAuthGrantEntity, { projectId });
    const bucket = await this.buckets.bucket(OAUTH_ACCESS_TOKEN_BUCKET);
    for (const direction of DIRECTIONS) {
      const key = oauthAccessTokenKey(projectId, direction);
      const entry = channel ? this.entryFor(channel, direction, grants) : null;
      if (entry) {
        await bucket.put(key, JSON.stringify(entry));
      } else if ((await bucket.get(key))?.operation === 'PUT') {
        await bucket.delete(key);
      }
    }
  }

  private entryFor(channel: EmailChannelEntity, direction: MailDirection, grants: OAuthGrantEntity[]): OAuthAccessTokenEntry | null {
    const settings = channel.settings()[direction];
    if (settings.auth.type !== 'oauth2') return null;
    const provider = settings.auth.provider;
    const grant = grants.find((candidate) => candidate.provider === provider);
    if (!grant) return null;
    const { projectId } = channel;
    if (grant.revokedAt) {
      return { projectId, direction, provider, revoked: grant.lastError ?? 'revoked', revokedAt: grant.revokedAt.toISOString(), version: grant.tokenVersion };
    }
    if (!grant.accessTokenSealed || !grant.accessTokenExpiresAt) return null;
    const accessToken = this.box.open({ sealed: grant.accessTokenSealed }, oauthSecretContext(projectId, 'oauth.access_token', provider, grant.clientId));
    return {
      projectId,
      direction,
      provider,
      account: grant.account,
      accessToken: this.box.seal(accessToken, channelAccessTokenContext(projectId, direction, settings)),
      expiresAt: grant.accessTokenExpiresAt.toISOString(),
      version: grant.tokenVersion,
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
