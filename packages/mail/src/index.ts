// @ensoras/mail: everything about mail that several services need.
export * from './address.js';
export * from './message-id.js';
export * from './subject.js';
export * from './mail-headers.js';
export * from './classification.js';
export * from './authentication-results.js';
export * from './reply-body.js';
export * from './connection-options.js';
export * from './connection-address.js';
export * from './connection-error.js';
export * from './connection-test.js';
export * from './inbound/parse-inbound-mail.js';
export * from './inbound/inbound-parser-pool.js';
export { TRUNCATION_MARKER, INBOUND_LIMITS, cutLine, cutText, boundReferences, boundAddresses } from './inbound/inbound-budget.js';
export * from './inbound/bounce-details.js';
export * from './inbound/html-sanitizer.js';
export * from './inbound/reply-text.js';
export * from './inbound/charset.js';
