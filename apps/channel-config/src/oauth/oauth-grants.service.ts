import { Injectable, Logger } from '@nestjs/common';
import { OAUTH_PROVIDER_NAMES, type OAuthConnectionView, type OAuthProvider } from '@ensoras/contracts';
import { oauthSecretContext, SecretBox } from '@ensoras/secrets';
import { Brackets, DataSource, IsNull, LessThan, Or } from 'typeorm';
import { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import { AccessTokenPublisher } from './access-token-publisher.js';
import { OAuthClients, type ResolvedClient } from './oauth-clients.service.js';
import { OAuthGrantEntity } from './oauth-grant.entity.js';
import { OAuthProviders } from './oauth-providers.js';
import { describeOAuthError, isInvalidGrant, refreshGrant, revokeAtProvider, type TokenSet } from './oauth-protocol.js';
import { nextAttemptAfter, REFRESH_CLAIM_MS, refreshDue } from './refresh-timing.js';

/** What Test Connection gets for a direction that logs in with OAuth2. */
export type AccessTokenResult =
  | { accessToken: string; account: string }
  | { revoked: string }
  | { unavailable: string };

export type RefreshOutcome = 'refreshed' | 'revoked' | 'failed' | 'skipped';

/** The sentence every service uses for a revoked grant (ingest and outbound build the same from OAuthGrantRevokedError). */
export function revokedReason(provider: OAuthProvider): string {
  return `the ${OAUTH_PROVIDER_NAMES[provider]} grant was revoked: connect the mailbox again`;
}

/**
 * The projects' grants: stored at consent, refreshed (only here: refresh tokens never leave channel-config) ahead of
 * expiry, marked revoked when the provider answers invalid_grant. Each new access token is published through
 * AccessTokenPublisher for the directions that use it.
 */
@Injectable()
export class OAuthGrants {
  private readonly logger = new Logger(OAuthGrants.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clients: OAuthClients,
    private readonly providers: OAuthProviders,
    private readonly publisher: AccessTokenPublisher,
  ) {}

  /** A consent's tokens replace whatever grant the project had with the provider (revoked or not). */
  async store(projectId: string, provider: OAuthProvider, client: ResolvedClient, tokens: TokenSet & { refreshToken: string }): Promise<OAuthGrantEntity> {
    const now = new Date();
    const previous = await this.dataSource.manager.findOneBy(OAuthGrantEntity, { projectId, provider });
    const grant = Object.assign(new OAuthGrantEntity(), {
      projectId,
      provider,
      account: tokens.account ?? '',
      clientId: client.clientId,
      clientSource: client.source,
      refreshTokenSealed: this.seal(projectId, 'oauth.refresh_token', provider, client.clientId, tokens.refreshToken),
      accessTokenSealed: this.seal(projectId, 'oauth.access_token', provider, client.clientId, tokens.accessToken),
      accessTokenExpiresAt: tokens.expiresAt,
      // Versions keep growing across consents, so a reader never takes the new grant's first token for a stale one.
      tokenVersion: (previous?.tokenVersion ?? 0) + 1,
      connectedAt: now,
      lastRefreshAt: now,
      lastError: null,
      refreshFailures: 0,
      nextAttemptAt: null,
      refreshClaimedUntil: null,
      revokedAt: null,
    });
    await this.dataSource.manager.save(OAuthGrantEntity, grant);
    await this.publisher.publish(projectId);
    return grant;
  }

  /** Grants that the project's channel uses and that are due for a refresh (refreshDue), for the refresher's tick. */
  async due(now: Date): Promise<Array<{ projectId: string; provider: OAuthProvider }>> {
    const ahead = new Date(now.getTime() + this.providers.refreshAheadMs);
    const rows = await this.dataSource.manager
      .createQueryBuilder(OAuthGrantEntity, 'grant')
      .innerJoin(
        EmailChannelEntity,
        'channel',
        'channel.projectId = grant.projectId AND (channel.imapOAuthProvider = grant.provider OR channel.smtpOAuthProvider = grant.provider)',
      )
      .where('grant.revokedAt IS NULL')
      .andWhere(new Brackets((where) => where.where('grant.accessTokenExpiresAt IS NULL').orWhere('grant.accessTokenExpiresAt < :ahead', { ahead })))
      .andWhere(new Brackets((where) => where.where('grant.nextAttemptAt IS NULL').orWhere('grant.nextAttemptAt <= :now', { now })))
      .andWhere(new Brackets((where) => where.where('grant.refreshClaimedUntil IS NULL').orWhere('grant.refreshClaimedUntil <= :now', { now })))
      .select(['grant.projectId', 'grant.provider'])
      .getMany();
    return rows.map(({ projectId, provider }) => ({ projectId, provider }));
  }

  /**
   * Refreshes one grant if it is still due: claims it (so another replica does not spend the same refresh token, which
   * Microsoft rotates), asks the provider without holding a database connection, then stores the answer: the new
   * access token (and refresh token, when rotated), or the failure with its back-off, or `revoked` on invalid_grant.
   */
  async refresh(projectId: string, provider: OAuthProvider, force = false): Promise<RefreshOutcome> {
    const claimed = await this.claim(projectId, provider, force);
    if (!claimed) return 'skipped';
    const client = await this.clients.clientOfGrant(projectId, provider, claimed.clientId);
    if (!client) {
      return this.settleFailure(claimed, `the OAuth client ${claimed.clientId} of this grant is no longer configured: connect the mailbox again`);
    }
    let tokens: TokenSet;
    try {
      const refreshToken = this.box.open({ sealed: claimed.refreshTokenSealed }, oauthSecretContext(projectId, 'oauth.refresh_token', provider, claimed.clientId));
      tokens = await refreshGrant(await this.clients.configuration(provider, client), refreshToken);
    } catch (error) {
      if (isInvalidGrant(error)) return this.markRevoked(claimed, describeOAuthError(error));
      return this.settleFailure(claimed, describeOAuthError(error));
    }
    const now = new Date();
    await this.dataSource.manager.update(
      OAuthGrantEntity,
      { projectId, provider },
      {
        accessTokenSealed: this.seal(projectId, 'oauth.access_token', provider, claimed.clientId, tokens.accessToken),
        accessTokenExpiresAt: tokens.expiresAt,
        // Microsoft rotates: the new refresh token replaces the old one, which may stop working at any time.
        ...(tokens.refreshToken ? { refreshTokenSealed: this.seal(projectId, 'oauth.refresh_token', provider, claimed.clientId, tokens.refreshToken) } : {}),
        tokenVersion: claimed.tokenVersion + 1,
        lastRefreshAt: now,
        lastError: null,
        refreshFailures: 0,
        nextAttemptAt: null,
        refreshClaimedUntil: null,
      },
    );
    await this.publisher.publish(projectId);
    return 'refreshed';
  }

  /** For Test Connection: the current access token, refreshed first when it is due (or missing). */
  async accessToken(projectId: string, provider: OAuthProvider): Promise<AccessTokenResult> {
    const name = OAUTH_PROVIDER_NAMES[provider];
    let grant = await this.dataSource.manager.findOneBy(OAuthGrantEntity, { projectId, provider });
    if (!grant) return { unavailable: `The mailbox is not connected with ${name} yet: connect it (POST …/channels/email/oauth/start) first.` };
    if (!grant.revokedAt && refreshDue({ ...grant, nextAttemptAt: null }, new Date(), this.providers.refreshAheadMs)) {
      await this.refresh(projectId, provider, true);
      grant = await this.dataSource.manager.findOneBy(OAuthGrantEntity, { projectId, provider });
    }
    if (!grant) return { unavailable: `The ${name} grant was removed while testing.` };
    if (grant.revokedAt) return { revoked: revokedReason(provider) };
    if (!grant.accessTokenSealed || !grant.accessTokenExpiresAt || grant.accessTokenExpiresAt <= new Date()) {
      return { unavailable: `No working ${name} access token: the last refresh failed (${grant.lastError ?? 'unknown'}).` };
    }
    const accessToken = this.box.open({ sealed: grant.accessTokenSealed }, oauthSecretContext(projectId, 'oauth.access_token', provider, grant.clientId));
    return { accessToken, account: grant.account };
  }

  async connections(projectId: string): Promise<OAuthConnectionView[]> {
    const grants = await this.dataSource.manager.find(OAuthGrantEntity, { where: { projectId }, order: { provider: 'ASC' } });
    const now = new Date();
    return grants.map((grant) => ({
      provider: grant.provider,
      account: grant.account,
      connectedAt: grant.connectedAt.toISOString(),
      state: grant.revokedAt ? 'revoked' : 'connected',
      accessWorks: !grant.revokedAt && grant.accessTokenExpiresAt !== null && grant.accessTokenExpiresAt > now && grant.lastError === null,
      accessTokenExpiresAt: grant.accessTokenExpiresAt?.toISOString() ?? null,
      lastRefreshAt: grant.lastRefreshAt?.toISOString() ?? null,
      lastError: grant.lastError,
      client: grant.clientSource,
    }));
  }

  /** Forgets the grant (asking the provider to revoke it, best effort); false when there was none. */
  async remove(projectId: string, provider: OAuthProvider): Promise<boolean> {
    const grant = await this.dataSource.manager.findOneBy(OAuthGrantEntity, { projectId, provider });
    if (!grant) return false;
    await this.dataSource.manager.delete(OAuthGrantEntity, { projectId, provider });
    await this.publisher.publish(projectId);
    if (!grant.revokedAt) {
      try {
        const client = await this.clients.clientOfGrant(projectId, provider, grant.clientId);
        const refreshToken = this.box.open({ sealed: grant.refreshTokenSealed }, oauthSecretContext(projectId, 'oauth.refresh_token', provider, grant.clientId));
        if (client) await revokeAtProvider(await this.clients.configuration(provider, client), refreshToken);
      } catch (error) {
        this.logger.warn(`Project ${projectId}: revoking the ${provider} grant at the provider failed (${describeOAuthError(error)}); it is forgotten here all the same`);
      }
    }
    return true;
  }

  private async claim(projectId: string, provider: OAuthProvider, force: boolean): Promise<OAuthGrantEntity | null> {
    const now = new Date();
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .update(OAuthGrantEntity)
      .set({ refreshClaimedUntil: new Date(now.getTime() + REFRESH_CLAIM_MS) })
      .where({ projectId, provider, revokedAt: IsNull(), refreshClaimedUntil: Or(IsNull(), LessThan(now)) })
      .returning('*')
      .execute();
    if (result.affected !== 1) return null;
    const grant = await this.dataSource.manager.findOneByOrFail(OAuthGrantEntity, { projectId, provider });
    // Someone refreshed it between the due check and the claim: give the claim back.
    if (!force && !refreshDue({ ...grant, refreshClaimedUntil: null }, now, this.providers.refreshAheadMs)) {
      await this.dataSource.manager.update(OAuthGrantEntity, { projectId, provider }, { refreshClaimedUntil: null });
      return null;
    }
    return grant;
  }

  private async settleFailure(grant: OAuthGrantEntity, reason: string): Promise<RefreshOutcome> {
    const now = new Date();
    const failures = grant.refreshFailures + 1;
    await this.dataSource.manager.update(
      OAuthGrantEntity,
      { projectId: grant.projectId, provider: grant.provider },
      { lastError: reason, refreshFailures: failures, nextAttemptAt: nextAttemptAfter(failures, now, grant.accessTokenExpiresAt), refreshClaimedUntil: null },
    );
    this.logger.warn(`Project ${grant.projectId}: refreshing the ${grant.provider} access token failed (${failures} in a row): ${reason}`);
    return 'failed';
  }

  private async markRevoked(grant: OAuthGrantEntity, providerSaid: string): Promise<RefreshOutcome> {
    const reason = revokedReason(grant.provider);
    await this.dataSource.manager.update(
      OAuthGrantEntity,
      { projectId: grant.projectId, provider: grant.provider },
      { revokedAt: new Date(), lastError: reason, accessTokenSealed: null, accessTokenExpiresAt: null, refreshClaimedUntil: null },
    );
    this.logger.warn(`Project ${grant.projectId}: ${reason} (${providerSaid})`);
    await this.publisher.publish(grant.projectId);
    return 'revoked';
  }

  private seal(projectId: string, field: 'oauth.refresh_token' | 'oauth.access_token', provider: OAuthProvider, clientId: string, value: string): string {
    return this.box.seal(value, oauthSecretContext(projectId, field, provider, clientId)).sealed;
  }
}
