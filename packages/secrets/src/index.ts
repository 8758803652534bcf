export * from './secret-box.js';
export * from './secrets-key.js';
export * from './is-secrets-key.validator.js';
export * from './secrets.module.js';
