import type { NatsSettings } from './connection/nats-settings.js';

import type { OutboxRetryPolicy } from './outbox/outbox-parking.js';

/** Injection tokens of the messaging module. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const JETSTREAM = Symbol('JETSTREAM');
export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** Names the service's durable consumers and its NATS connection; replicas of one service share it. */
  serviceName: string;
  /** NATS_URL and credentials: the service's environment, or any object with those variables. */
  nats: NatsSettings;
  /** How often a failing outbox row is retried before it is parked (tests shorten the back-off). */
  outboxRetry?: Partial<OutboxRetryPolicy>;
}
