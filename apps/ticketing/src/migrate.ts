import 'reflect-metadata';
import { migrateSchema } from '@ensoras/persistence';
import { loadEnvironment, MigrationsEnvironment } from '@ensoras/runtime';
import { ticketingSchema } from './migrations/schema.js';

// `node apps/ticketing/dist/migrate.js`: migrates the ticketing schema and exits, 0 once done (the Kubernetes migrations
// Job runs it). Needs DATABASE_URL only; under the same advisory lock as a replica migrating at start.
await migrateSchema(ticketingSchema(loadEnvironment(MigrationsEnvironment)));
