// @ensoras/mail: everything about mail that several services need.
export * from './address.js';
export * from './message-id.js';
export * from './subject.js';
export * from './mail-headers.js';
export * from './classification.js';
export * from './reply-body.js';
export * from './connection-options.js';
export * from './connection-error.js';
export * from './connection-test.js';
