import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { resolveDatabase, type PersistenceOptions, type ResolvedDatabase } from './database-options.js';
import { initializeMigrated } from './schema-migrations.js';

const RESOLVED_DATABASE = Symbol('RESOLVED_DATABASE');

class EmbeddedDatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(RESOLVED_DATABASE) private readonly database: ResolvedDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.embedded?.stop();
  }
}

const RETRY_DELAY_MS = 2_000;

/**
 * A database that is down at start is waited for, never a reason to exit: the service answers /health/live and
 * reports not ready meanwhile (the runtime's start-up probes), and TypeORM's own connection is retried the same way.
 */
export async function untilResolved(options: PersistenceOptions): Promise<ResolvedDatabase> {
  // The embedded database is part of this process: failing to start it is no outage to wait out.
  if (!options.databaseUrl) return resolveDatabase(options);
  const logger = new Logger('Persistence');
  for (let attempt = 1; ; attempt++) {
    try {
      return await resolveDatabase(options);
    } catch (error) {
      if (attempt === 1 || attempt % 15 === 0) {
        logger.error(`Database unavailable (${error instanceof Error ? error.message : String(error)}); retrying every ${RETRY_DELAY_MS / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

@Module({})
export class PersistenceModule {
  /** TypeORM on PostgreSQL (DATABASE_URL) or on an embedded PGlite, migrated at start unless `migrationsAtStart` is false. */
  static forRoot(options: PersistenceOptions): DynamicModule {
    let resolved: Promise<ResolvedDatabase> | undefined;
    const resolveOnce = () => (resolved ??= untilResolved(options));
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({ ...(await resolveOnce()).options, retryAttempts: Number.POSITIVE_INFINITY, retryDelay: RETRY_DELAY_MS }),
          // Retried like the connection: a database lost while migrating or waiting for the Job is waited out too.
          dataSourceFactory: (dataSourceOptions) =>
            initializeMigrated(dataSourceOptions as DataSourceOptions, options.schema, options.migrationsAtStart ?? true),
        }),
      ],
      providers: [{ provide: RESOLVED_DATABASE, useFactory: resolveOnce }, EmbeddedDatabaseCloser],
      exports: [TypeOrmModule],
    };
  }
}
