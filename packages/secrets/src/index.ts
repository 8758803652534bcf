export * from './secret-box.js';
export * from './secrets-key.js';
