import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { oauthSecretContext, SecretBox, type SealedField } from '@ensoras/secrets';
import { DataSource } from 'typeorm';
import { resealUntilDone } from '../sealing/reseal-until-done.js';
import { OAuthClientEntity } from './oauth-client.entity.js';
import { OAuthGrantEntity } from './oauth-grant.entity.js';

/**
 * At start, like the channel passwords (PasswordResealing): every refresh token, stored access token and project
 * client secret not sealed with the current SECRETS_KEY is sealed again, so SECRETS_KEY_PREVIOUS can be dropped after
 * a rotation. (Consents in flight live 10 minutes and still open with the previous key; the bucket's access tokens are
 * sealed anew at every publish.)
 */
@Injectable()
export class OAuthResealing implements OnApplicationBootstrap {
  private readonly logger = new Logger(OAuthResealing.name);
  private started: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return (this.started ??= resealUntilDone(this.logger, 'OAuth secrets', () => this.resealAll(), (count) => `Re-sealed ${count} OAuth secret(s) with key ${this.box.keyId}`));
  }

  /** Re-seals what needs it; returns how many secrets were sealed again. */
  async resealAll(): Promise<number> {
    let resealed = 0;
    const reseal = (sealed: string, field: Extract<SealedField, `oauth.${string}`>, row: { projectId: string; provider: string; clientId: string }): string => {
      if (!this.box.needsResealing({ sealed })) return sealed;
      try {
        const again = this.box.reseal({ sealed }, oauthSecretContext(row.projectId, field, row.provider, row.clientId)).sealed;
        resealed++;
        return again;
      } catch {
        this.logger.warn(`Project ${row.projectId}: the ${row.provider} ${field} opens with neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`);
        return sealed;
      }
    };
    for (const grant of await this.dataSource.manager.find(OAuthGrantEntity)) {
      const refreshTokenSealed = reseal(grant.refreshTokenSealed, 'oauth.refresh_token', grant);
      const accessTokenSealed = grant.accessTokenSealed === null ? null : reseal(grant.accessTokenSealed, 'oauth.access_token', grant);
      if (refreshTokenSealed !== grant.refreshTokenSealed || accessTokenSealed !== grant.accessTokenSealed) {
        await this.dataSource.manager.update(OAuthGrantEntity, { projectId: grant.projectId, provider: grant.provider }, { refreshTokenSealed, accessTokenSealed });
      }
    }
    for (const client of await this.dataSource.manager.find(OAuthClientEntity)) {
      const clientSecretSealed = reseal(client.clientSecretSealed, 'oauth.client_secret', client);
      if (clientSecretSealed !== client.clientSecretSealed) {
        await this.dataSource.manager.update(OAuthClientEntity, { projectId: client.projectId, provider: client.provider }, { clientSecretSealed });
      }
    }
    return resealed;
  }
}
