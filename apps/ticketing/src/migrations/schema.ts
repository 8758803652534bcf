import { join } from 'node:path';
import type { SchemaMigrationOptions } from '@ensoras/persistence';
import type { MigrationsEnvironment } from '@ensoras/runtime';
import { MIGRATIONS } from './index.js';

/** ticketing's schema and migrations, one definition for the app module and for dist/migrate.js (the migrations Job). */
export function ticketingSchema(environment: Pick<MigrationsEnvironment, 'DATABASE_URL' | 'DATA_DIR'>): SchemaMigrationOptions {
  return { schema: 'ticketing', migrations: MIGRATIONS, databaseUrl: environment.DATABASE_URL, dataDir: join(environment.DATA_DIR, 'ticketing') };
}
