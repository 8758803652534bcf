import 'reflect-metadata';
import { migrateSchema } from '@ensoras/persistence';
import { loadEnvironment, MigrationsEnvironment } from '@ensoras/runtime';
import { mailIngestSchema } from './migrations/schema.js';

// `node apps/mail-ingest/dist/migrate.js`: migrates the mail_ingest schema and exits, 0 once done (the Kubernetes migrations
// Job runs it). Needs DATABASE_URL only; under the same advisory lock as a replica migrating at start.
await migrateSchema(mailIngestSchema(loadEnvironment(MigrationsEnvironment)));
