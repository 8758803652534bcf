import 'reflect-metadata';
import { migrateSchema } from '@ensoras/persistence';
import { loadEnvironment, MigrationsEnvironment } from '@ensoras/runtime';
import { channelConfigSchema } from './migrations/schema.js';

// `node apps/channel-config/dist/migrate.js`: migrates the channel_config schema and exits, 0 once done (the Kubernetes migrations
// Job runs it). Needs DATABASE_URL only; under the same advisory lock as a replica migrating at start.
await migrateSchema(channelConfigSchema(loadEnvironment(MigrationsEnvironment)));
