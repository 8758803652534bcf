import { Injectable } from '@nestjs/common';

/** Whether the service's event consumers are set up; readiness reads it. */
@Injectable()
export class ConsumerStatus {
  private server: { isConsuming(): boolean } | undefined;

  /** Called by the bootstrap with the service's JetStream transport. */
  watch(server: { isConsuming(): boolean }): void {
    this.server = server;
  }

  /** Null for a service that consumes nothing. */
  consuming(): boolean | null {
    return this.server ? this.server.isConsuming() : null;
  }
}
