import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { HealthModule } from '@ensoras/runtime';
import type { MailIngestEnvironment } from './config/mail-ingest.environment.js';
import { MIGRATIONS } from './migrations/index.js';

@Module({})
export class AppModule {
  static forRoot(environment: MailIngestEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          schema: 'mail_ingest',
          entities: [...MESSAGING_ENTITIES],
          migrations: MIGRATIONS,
          databaseUrl: environment.DATABASE_URL,
          dataDir: join(environment.DATA_DIR, 'mail-ingest'),
        }),
        MessagingModule.forRoot({ serviceName: 'mail-ingest', natsUrl: environment.NATS_URL }),
        HealthModule.forRoot(),
      ],
    };
  }
}
