import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import { AuditEntryEntity } from './audit/audit-entry.entity.js';
import { AuditModule } from './audit/audit.module.js';
import type { ChannelConfigEnvironment } from './config/channel-config.environment.js';
import { EnvironmentModule } from './config/environment.module.js';
import { ConfigurationModule } from './configuration/configuration.module.js';
import { EmailChannelEntity } from './email-channel/email-channel.entity.js';
import { EmailChannelModule } from './email-channel/email-channel.module.js';
import { MIGRATIONS } from './migrations/index.js';
import { OAuthAuthorizationEntity } from './oauth/oauth-authorization.entity.js';
import { OAuthClientEntity } from './oauth/oauth-client.entity.js';
import { OAuthGrantEntity } from './oauth/oauth-grant.entity.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { ProjectEntity } from './projects/project.entity.js';
import { SealingModule } from './sealing/sealing.module.js';
import { SettingsSnapshotModule } from './settings-snapshot/settings-snapshot.module.js';

@Module({})
export class AppModule {
  static forRoot(environment: ChannelConfigEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EnvironmentModule.forRoot(environment),
        PersistenceModule.forRoot({
          schema: 'channel_config',
          entities: [...MESSAGING_ENTITIES, ProjectEntity, EmailChannelEntity, AuditEntryEntity, OAuthGrantEntity, OAuthAuthorizationEntity, OAuthClientEntity],
          migrations: MIGRATIONS,
          databaseUrl: environment.DATABASE_URL,
          dataDir: join(environment.DATA_DIR, 'channel-config'),
        }),
        MessagingModule.forRoot({ serviceName: 'channel-config', nats: environment }),
        HealthModule.forRoot(),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        SealingModule,
        SettingsSnapshotModule,
        ConfigurationModule,
        EmailChannelModule,
        OAuthModule,
        AuditModule,
      ],
    };
  }
}
