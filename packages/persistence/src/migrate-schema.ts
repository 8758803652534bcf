import { Logger } from '@nestjs/common';
import type { PersistenceOptions } from './database-options.js';
import { untilResolved } from './persistence.module.js';
import { initializeMigrated } from './schema-migrations.js';

export type SchemaMigrationOptions = Omit<PersistenceOptions, 'entities' | 'migrationsAtStart'>;

/**
 * Migrates one service's schema and returns: what each service's `dist/migrate.js` runs, the migrations Job in
 * Kubernetes among them. The same advisory lock as at start, so a Job and replicas that still migrate do not collide.
 * Waits for a database that is not up yet, like the service does; a failing migration rejects (exit code 1).
 */
export async function migrateSchema(options: SchemaMigrationOptions): Promise<void> {
  const logger = new Logger('Migrations');
  const resolved = await untilResolved({ ...options, entities: [] });
  try {
    const dataSource = await initializeMigrated(resolved.options, options.schema, true);
    await dataSource.destroy();
    logger.log(`Schema ${options.schema} is migrated`);
  } finally {
    await resolved.embedded?.stop();
  }
}
