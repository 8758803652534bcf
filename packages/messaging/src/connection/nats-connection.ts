import { Logger } from '@nestjs/common';
import { connect, delay, type NatsConnection } from '@nats-io/transport-node';
import { describeNatsSettings, natsConnectionOptions, type NatsSettings } from './nats-settings.js';

const FIRST_CONNECT_RETRY_MS = [500, 1_000, 2_000, 5_000];

/**
 * Connects for good: NATS restarts, network blips and a refused login (a password rotated on the server first) are
 * ridden out by reconnecting, never by exiting. Until the first connection we retry ourselves rather than with
 * `waitOnFirstConnect`, which waits just as long but silently: the log says why (refused, wrong password, bad TLS).
 */
export async function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  const logger = new Logger('Nats');
  const server = describeNatsSettings(settings);
  logger.log(`Connecting to ${server}`);
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await connect({
        ...natsConnectionOptions(settings, name),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ignoreAuthErrorAbort: true,
      });
      if (attempt > 1) logger.log(`Connected to ${server} after ${attempt} attempts`);
      logStatus(connection, logger);
      return connection;
    } catch (error) {
      const wait = FIRST_CONNECT_RETRY_MS[Math.min(attempt - 1, FIRST_CONNECT_RETRY_MS.length - 1)]!;
      if (attempt === 1 || attempt % 20 === 0) {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\/\/[^@/\s]*@/g, '//');
        logger.warn(`Cannot connect to ${server} yet (${reason}); retrying every ${wait} ms`);
      }
      await delay(wait);
    }
  }
}

function logStatus(connection: NatsConnection, logger: Logger): void {
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn(`NATS ${status.type}`);
      // Server errors such as "Authorization Violation" or a permissions violation; they never carry our secrets.
      if (status.type === 'error') logger.error(`NATS: ${status.error.message}`);
    }
  })();
}
