import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { AccessTokenPublisher } from './access-token-publisher.js';
import { OAuthAuthorizationEntity } from './oauth-authorization.entity.js';
import { OAuthGrants } from './oauth-grants.service.js';
import { OAuthProviders } from './oauth-providers.js';

/**
 * Every OAUTH_REFRESH_CHECK_MS: refreshes the access tokens that channels use and that have less than
 * OAUTH_REFRESH_AHEAD_SECONDS left, re-publishes what could not be published, and forgets consents that expired.
 * Ticks never overlap; a replica's claim keeps two replicas from refreshing one grant.
 */
@Injectable()
export class OAuthRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OAuthRefresher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: OAuthGrants,
    private readonly publisher: AccessTokenPublisher,
    private readonly providers: OAuthProviders,
  ) {}

  onApplicationBootstrap(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.providers.refreshCheckMs);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round; resolves when it is done (a round already running is waited for instead). */
  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((error: unknown) => this.logger.warn(`OAuth refresh round failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    const now = new Date();
    for (const { projectId, provider } of await this.grants.due(now)) {
      const outcome = await this.grants.refresh(projectId, provider);
      if (outcome !== 'skipped') this.logger.log(`Project ${projectId}: ${provider} access token ${outcome}`);
    }
    await this.publisher.retryPending();
    await this.dataSource.manager.delete(OAuthAuthorizationEntity, { expiresAt: LessThan(now) });
  }
}
