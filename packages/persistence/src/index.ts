export * from './database-options.js';
export * from './embedded-postgres.js';
export * from './embedded-server.js';
export * from './persistence.module.js';
export * from './migrate-schema.js';
export * from './schema-migrations.js';
export * from './quoted-table.js';
