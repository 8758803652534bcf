import 'reflect-metadata';
import { migrateSchema } from '@ensoras/persistence';
import { loadEnvironment, MigrationsEnvironment } from '@ensoras/runtime';
import { aiResponderSchema } from './migrations/schema.js';

// `node apps/ai-responder/dist/migrate.js`: migrates the ai_responder schema and exits, 0 once done (the Kubernetes migrations
// Job runs it). Needs DATABASE_URL only; under the same advisory lock as a replica migrating at start.
await migrateSchema(aiResponderSchema(loadEnvironment(MigrationsEnvironment)));
