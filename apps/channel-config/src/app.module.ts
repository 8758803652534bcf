import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { HealthModule } from '@ensoras/runtime';
import type { ChannelConfigEnvironment } from './config/channel-config.environment.js';
import { MIGRATIONS } from './migrations/index.js';

@Module({})
export class AppModule {
  static forRoot(environment: ChannelConfigEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          schema: 'channel_config',
          entities: [...MESSAGING_ENTITIES],
          migrations: MIGRATIONS,
          databaseUrl: environment.DATABASE_URL,
          dataDir: join(environment.DATA_DIR, 'channel-config'),
        }),
        MessagingModule.forRoot({ serviceName: 'channel-config', natsUrl: environment.NATS_URL }),
        HealthModule.forRoot(),
      ],
    };
  }
}
