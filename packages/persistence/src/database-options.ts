import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

export interface PersistenceOptions {
  /** The service's own schema: its tables live there and nowhere else. */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  /**
   * Whether the service migrates its schema at start (default, under an advisory lock: `npm start`, compose). false
   * where a migrations Job does it (Kubernetes, MIGRATIONS_AT_START=false): start-up then waits until it has.
   */
  migrationsAtStart?: boolean;
  /** PostgreSQL URL; when absent an embedded PGlite is started under `dataDir`. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files. */
  dataDir: string;
}

export interface ResolvedDatabase {
  options: DataSourceOptions;
  embedded: EmbeddedPostgres | null;
}

/**
 * Never `synchronize`: the schema changes only by reviewed migration. The services migrate through initializeMigrated
 * (schema-migrations.ts), under an advisory lock, which turns TypeORM's unlocked `migrationsRun` off; it stays on for a
 * DataSource opened directly with these options (migration tests, benchmarks).
 */
export async function resolveDatabase(options: PersistenceOptions): Promise<ResolvedDatabase> {
  const embedded = options.databaseUrl ? null : await startEmbeddedPostgres(join(options.dataDir, 'pglite'));
  const url = options.databaseUrl ?? embedded!.url;
  await createSchemaIfMissing(url, options.schema);
  return {
    embedded,
    options: {
      type: 'postgres',
      url,
      schema: options.schema,
      entities: options.entities,
      migrations: options.migrations,
      migrationsRun: true,
      migrationsTableName: 'migrations',
      migrationsTransactionMode: 'each',
      synchronize: false,
      uuidExtension: 'pgcrypto',
      logging: ['error', 'migration'],
      // PGlite serves one connection; PostgreSQL gets a real pool.
      extra: { max: embedded ? 1 : 10, connectionTimeoutMillis: 10_000 },
    },
  };
}

/** The migrations table lives in the service's schema, so the schema must exist before TypeORM starts. */
async function createSchemaIfMissing(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two replicas starting together may race on CREATE SCHEMA; the loser sees a unique violation.
    if ((error as { code?: string }).code !== '23505') throw error;
    new Logger('Persistence').debug(`Schema ${schema} created concurrently`);
  } finally {
    await client.end();
  }
}
