import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** Connects for good: NATS restarts and network blips are ridden out by reconnecting, never by exiting. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const logger = new Logger('Nats');
  const connection = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
  });
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn(`NATS ${status.type}`);
    }
  })();
  return connection;
}
