export * from './database-options.js';
export * from './embedded-postgres.js';
export * from './persistence.module.js';
