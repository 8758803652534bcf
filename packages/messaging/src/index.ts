export * from './messaging.tokens.js';
export * from './messaging.module.js';
export * from './connection/nats-connection.js';
export * from './connection/topology.js';
export * from './publishing/event-publisher.js';
export * from './consuming/jetstream.server.js';
export * from './consuming/jetstream.context.js';
export * from './consuming/subject-match.js';
export * from './outbox/outbox-message.entity.js';
export * from './outbox/outbox.service.js';
export * from './outbox/outbox.relay.js';
export * from './outbox/messaging-tables.migration.js';
export * from './inbox/processed-event.entity.js';
export * from './inbox/inbox.service.js';
export * from './kv/key-value-buckets.js';
export * from './kv/channel-settings.replica.js';
export * from './health/nats.health.js';

import { OutboxMessage } from './outbox/outbox-message.entity.js';
import { ProcessedEvent } from './inbox/processed-event.entity.js';
/** Entities every service registers with its data source. */
export const MESSAGING_ENTITIES = [OutboxMessage, ProcessedEvent];
export * from './consuming/rethrow-event-errors.filter.js';
