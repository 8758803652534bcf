export * from './api-document.js';
export * from './describe-service.js';
export * from './document-api.js';
