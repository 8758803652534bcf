export * from './environment.js';
export * from './admin-token.guard.js';
export * from './health.module.js';
export * from './bootstrap.js';
export * from './project-id.pipe.js';
export * from './metrics.controller.js';
