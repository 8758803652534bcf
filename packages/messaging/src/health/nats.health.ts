import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '../messaging.tokens.js';

@Injectable()
export class NatsHealthIndicator {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Up when a round trip to the server succeeds within the timeout. */
  async isHealthy(key = 'nats', timeoutMs = 2_000) {
    const indicator = this.health.check(key);
    if (this.connection.isClosed()) return indicator.down({ message: 'connection closed' });
    try {
      const rtt = await Promise.race([
        this.connection.rtt(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
      ]);
      return indicator.up({ server: this.connection.getServer(), rttMs: rtt });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
