import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { MESSAGING_OPTIONS, NATS_CONNECTION, type MessagingOptions } from '../messaging.tokens.js';
import { countDeadLetters, listDeadLetters, replayDeadLetters, type DeadLetter, type DeadLetterQuery, type ReplayResult } from './dead-letters.js';

/** This service's dead letters, for its admin API and metrics. */
@Injectable()
export class DeadLetters {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  get service(): string {
    return this.options.serviceName;
  }

  list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return listDeadLetters(this.connection, this.options.serviceName, query);
  }

  count(): Promise<number> {
    return countDeadLetters(this.connection, this.options.serviceName);
  }

  /** One dead letter by its DEADLETTER sequence, all of one consumer, or all of them. */
  replay(which?: number | { consumer: string }): Promise<ReplayResult> {
    return replayDeadLetters(this.connection, this.options.serviceName, which);
  }
}
