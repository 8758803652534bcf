import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventually } from './wait.js';

/**
 * The barrier of a "nothing else happened" check, instead of a fixed sleep: resolves once the durable consumer has
 * handed out everything its stream holds for it and each handed-out message was acknowledged. Our transport acks only
 * when the handler returned, so a handler that were to run again (a duplicate, a redelivery) has run by then.
 */
export async function consumerDrained(
  connection: NatsConnection,
  stream: string,
  consumer: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const jsm = await jetstreamManager(connection);
  await eventually(
    async () => {
      const info = await jsm.consumers.info(stream, consumer);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { timeoutMs: options.timeoutMs ?? 10_000, message: `Consumer ${consumer} of ${stream} did not drain` },
  );
}
