import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { resolveDatabase, type PersistenceOptions, type ResolvedDatabase } from './database-options.js';

const RESOLVED_DATABASE = Symbol('RESOLVED_DATABASE');

class EmbeddedDatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(RESOLVED_DATABASE) private readonly database: ResolvedDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.embedded?.stop();
  }
}

@Module({})
export class PersistenceModule {
  /** TypeORM on PostgreSQL (DATABASE_URL) or on an embedded PGlite, migrated at start. */
  static forRoot(options: PersistenceOptions): DynamicModule {
    let resolved: Promise<ResolvedDatabase> | undefined;
    const resolveOnce = () => (resolved ??= resolveDatabase(options));
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({ ...(await resolveOnce()).options, retryAttempts: 5, retryDelay: 1_000 }),
        }),
      ],
      providers: [{ provide: RESOLVED_DATABASE, useFactory: resolveOnce }, EmbeddedDatabaseCloser],
      exports: [TypeOrmModule],
    };
  }
}
