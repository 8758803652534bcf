import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { SecretsModule } from '@ensoras/secrets';
import { ApiAccessModule, HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import { ApiTokenEntity } from './api-tokens/api-token.entity.js';
import { ApiTokensModule } from './api-tokens/api-tokens.module.js';
import { AuditEntryEntity } from './audit/audit-entry.entity.js';
import { AuditModule } from './audit/audit.module.js';
import type { ChannelConfigEnvironment } from './config/channel-config.environment.js';
import { EnvironmentModule } from './config/environment.module.js';
import { ConfigurationModule } from './configuration/configuration.module.js';
import { EmailChannelEntity } from './email-channel/email-channel.entity.js';
import { EmailChannelModule } from './email-channel/email-channel.module.js';
import { channelConfigSchema } from './migrations/schema.js';
import { PresetsModule } from './presets/presets.module.js';
import { OAuthAuthorizationEntity } from './oauth/oauth-authorization.entity.js';
import { OAuthClientEntity } from './oauth/oauth-client.entity.js';
import { OAuthGrantEntity } from './oauth/oauth-grant.entity.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { ProjectEntity } from './projects/project.entity.js';
import { SettingsSnapshotModule } from './settings-snapshot/settings-snapshot.module.js';

@Module({})
export class AppModule {
  static forRoot(environment: ChannelConfigEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EnvironmentModule.forRoot(environment),
        PersistenceModule.forRoot({
          ...channelConfigSchema(environment),
          entities: [...MESSAGING_ENTITIES, ProjectEntity, EmailChannelEntity, AuditEntryEntity, ApiTokenEntity, OAuthGrantEntity, OAuthAuthorizationEntity, OAuthClientEntity],
          migrationsAtStart: environment.MIGRATIONS_AT_START,
        }),
        MessagingModule.forRoot({ serviceName: 'channel-config', nats: environment }),
        HealthModule.forRoot(),
        ApiAccessModule.forRoot({ adminToken: environment.ADMIN_TOKEN, rateLimitPerMinute: environment.API_RATE_LIMIT_PER_MINUTE }),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        SecretsModule.forRoot(environment),
        SettingsSnapshotModule,
        ConfigurationModule,
        EmailChannelModule,
        OAuthModule,
        AuditModule,
        PresetsModule,
        ApiTokensModule,
      ],
    };
  }
}
