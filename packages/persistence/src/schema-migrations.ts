import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor, type DataSourceOptions, type QueryRunner } from 'typeorm';

const logger = new Logger('Migrations');
const PENDING_POLL_MS = 5_000;

/**
 * The advisory lock key of one schema's migrations: the first 8 bytes of SHA-256 over "ensoras.migrations.<schema>",
 * read as PostgreSQL's signed bigint. One key per schema, so the five services still migrate side by side.
 */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`ensoras.migrations.${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Runs the schema's pending migrations while holding its session advisory lock: replicas starting together, or a
 * migrations Job and a replica, take turns, and whoever comes second finds nothing pending. Lock and migrations share
 * one connection, so this also works on the embedded PGlite, which serves a single connection.
 */
export async function runMigrationsUnderLock(dataSource: DataSource, schema: string): Promise<void> {
  await withMigrationLock(dataSource, schema, async (queryRunner) => {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = dataSource.options.migrationsTransactionMode ?? 'each';
    await executor.executePendingMigrations();
  });
}

/**
 * For replicas that do not migrate (MIGRATIONS_AT_START=false, where a Job does): holds start-up, and so readiness,
 * until the schema has every migration this code knows, instead of serving on a schema that is behind it.
 */
export async function waitUntilMigrated(dataSource: DataSource, schema: string, pollMs = PENDING_POLL_MS): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // Under the lock: a Job in the middle of migrating is waited for rather than seen half-done.
    const pending = await withMigrationLock(dataSource, schema, (queryRunner) => new MigrationExecutor(dataSource, queryRunner).getPendingMigrations());
    if (pending.length === 0) return;
    if (attempt === 1 || attempt % 12 === 0) {
      logger.warn(`${pending.length} migration(s) pending in schema ${schema} (${pending.map((m) => m.name).join(', ')}); MIGRATIONS_AT_START=false, waiting for the migrations job`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * A DataSource with its schema migrated: migrated here under the lock when `migrate`, else waited for. A failure
 * closes the DataSource again, so the caller's retries do not pile up pools.
 */
export async function initializeMigrated(options: DataSourceOptions, schema: string, migrate: boolean): Promise<DataSource> {
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  try {
    if (migrate) await runMigrationsUnderLock(dataSource, schema);
    else await waitUntilMigrated(dataSource, schema);
    return dataSource;
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

async function withMigrationLock<T>(dataSource: DataSource, schema: string, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const key = migrationLockKey(schema);
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  let unlockFailure: unknown;
  try {
    const [{ locked }] = await queryRunner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
    if (!locked) {
      logger.log(`Schema ${schema} is being migrated by another process; waiting for it`);
      await queryRunner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    }
    try {
      return await work(queryRunner);
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((error: unknown) => (unlockFailure = error));
    }
  } finally {
    // A connection that may still hold the lock must not go back to the pool: it is closed, which frees the lock.
    if (unlockFailure) await (queryRunner as unknown as PooledQueryRunner).releasePostgresConnection(unlockFailure);
    else await queryRunner.release();
  }
}

/** TypeORM's PostgresQueryRunner: released with an error, it destroys its pooled client instead of returning it. */
interface PooledQueryRunner {
  releasePostgresConnection(error: unknown): Promise<void>;
}
