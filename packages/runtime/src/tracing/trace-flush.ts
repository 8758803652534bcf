import type { OnApplicationShutdown } from '@nestjs/common';
import type { Tracing } from './tracing.js';

/** Sends the buffered spans when the service stops, so the last requests and events are not lost. */
export class TraceFlush implements OnApplicationShutdown {
  constructor(private readonly tracing: Tracing) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing.flush().catch(() => undefined);
  }
}
