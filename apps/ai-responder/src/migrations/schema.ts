import { join } from 'node:path';
import type { SchemaMigrationOptions } from '@ensoras/persistence';
import type { MigrationsEnvironment } from '@ensoras/runtime';
import { MIGRATIONS } from './index.js';

/** ai-responder's schema and migrations, one definition for the app module and for dist/migrate.js (the migrations Job). */
export function aiResponderSchema(environment: Pick<MigrationsEnvironment, 'DATABASE_URL' | 'DATA_DIR'>): SchemaMigrationOptions {
  return { schema: 'ai_responder', migrations: MIGRATIONS, databaseUrl: environment.DATABASE_URL, dataDir: join(environment.DATA_DIR, 'ai-responder') };
}
