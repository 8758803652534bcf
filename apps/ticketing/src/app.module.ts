import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { HealthModule } from '@ensoras/runtime';
import type { TicketingEnvironment } from './config/ticketing.environment.js';
import { MIGRATIONS } from './migrations/index.js';

@Module({})
export class AppModule {
  static forRoot(environment: TicketingEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          schema: 'ticketing',
          entities: [...MESSAGING_ENTITIES],
          migrations: MIGRATIONS,
          databaseUrl: environment.DATABASE_URL,
          dataDir: join(environment.DATA_DIR, 'ticketing'),
        }),
        MessagingModule.forRoot({ serviceName: 'ticketing', natsUrl: environment.NATS_URL }),
        HealthModule.forRoot(),
      ],
    };
  }
}
