/** Injection tokens of the messaging module. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const JETSTREAM = Symbol('JETSTREAM');
export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** Names the service's durable consumers and its NATS connection; replicas of one service share it. */
  serviceName: string;
  natsUrl: string;
}
