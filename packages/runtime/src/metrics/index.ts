export * from './metric-catalog.js';
export * from './metrics-registry.js';
export * from './http-metrics.js';
export * from './messaging-metrics.js';
export * from './metrics.controller.js';
