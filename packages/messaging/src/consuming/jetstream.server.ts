import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { DEAD_LETTER_PREFIX, STREAMS, type StreamArea } from '@ensoras/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { ensureStreams } from '../connection/topology.js';
import { JetStreamContext } from './jetstream.context.js';
import { subjectMatches } from './subject-match.js';

export interface JetStreamServerOptions {
  connection: NatsConnection;
  /** Durable consumer name; every replica of a service uses the same, so each event is handled by one of them. */
  durableName: string;
  /** Deliveries before a message goes to the dead-letter subject. */
  maxAttempts?: number;
  /** Wait before redelivery after the n-th failure (the last value repeats). */
  backoffMs?: number[];
  /** How long a handler may run before JetStream assumes the replica died and redelivers. */
  ackWaitMs?: number;
}

/**
 * A Nest transport on JetStream pull consumers: `@EventPattern('mail.*.received')` handlers get each event once it
 * is stored, acknowledge it only when they return, are retried with back-off when they throw, and after
 * `maxAttempts` the event is parked on `deadletter.<durable>.<subject>` instead of blocking the stream.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(JetStreamServer.name);
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;
  private readonly maxAttempts: number;
  private readonly backoffMs: number[];

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? [1_000, 5_000, 30_000, 120_000];
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const jsm = await jetstreamManager(this.options.connection);
      await ensureStreams(jsm);
      const js = jetstream(this.options.connection);
      // One durable consumer per handled subject pattern: nats-server 2.9 (Debian's) has one filter per consumer.
      for (const pattern of this.messageHandlers.keys()) {
        const stream = streamFor(pattern);
        const name = consumerName(this.options.durableName, pattern);
        const config = {
          durable_name: name,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(this.options.ackWaitMs ?? 60_000),
          // We park the message ourselves after maxAttempts; the extra delivery is a safety margin.
          max_deliver: this.maxAttempts + 1,
          filter_subject: pattern,
        };
        try {
          await jsm.consumers.info(stream, name);
          await jsm.consumers.update(stream, name, config);
        } catch {
          await jsm.consumers.add(stream, config);
        }
        void this.consumeForever(js, stream, name);
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const subscription of this.subscriptions) await subscription.close();
    await Promise.allSettled([...this.inFlight]);
  }

  on(): never {
    throw new Error('JetStreamServer does not emit events');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  /** Keeps pulling across NATS restarts; one message at a time per consumer keeps a mailbox's order. */
  private async consumeForever(js: JetStreamClient, stream: string, name: string): Promise<void> {
    while (!this.closing) {
      try {
        const consumer = await js.consumers.get(stream, name);
        const messages = await consumer.consume({ max_messages: 1 });
        this.subscriptions.push(messages);
        for await (const message of messages) {
          const handling = this.handle(message);
          this.inFlight.add(handling);
          await handling;
          this.inFlight.delete(handling);
        }
      } catch (error) {
        if (this.closing) return;
        this.logger.warn(`Consumer ${name} on ${stream} stopped (${String(error)}); resuming`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const pattern = [...this.messageHandlers.keys()].find((p) => subjectMatches(p, message.subject));
    const handler = pattern ? this.messageHandlers.get(pattern) : undefined;
    if (!handler) {
      message.term('no handler');
      return;
    }
    try {
      const data: unknown = message.json();
      const result = await handler(data, new JetStreamContext(message));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      message.ack();
    } catch (error) {
      await this.settleFailure(message, error);
    }
  }

  private async settleFailure(message: JsMsg, error: unknown): Promise<void> {
    const attempt = message.info.deliveryCount;
    const reason = describeError(error);
    if (attempt < this.maxAttempts) {
      const delay = this.backoffMs[Math.min(attempt - 1, this.backoffMs.length - 1)];
      this.logger.warn(`${message.subject} failed (attempt ${attempt}/${this.maxAttempts}), retry in ${delay} ms: ${reason}`);
      message.nak(delay);
      return;
    }
    try {
      const deadLetterHeaders = natsHeaders();
      deadLetterHeaders.set('Ensoras-Error', reason.slice(0, 1_000));
      deadLetterHeaders.set('Ensoras-Attempts', String(attempt));
      deadLetterHeaders.set('Ensoras-Stream-Seq', String(message.info.streamSequence));
      await jetstream(this.options.connection).publish(
        `${DEAD_LETTER_PREFIX}.${this.options.durableName}.${message.subject}`,
        message.data,
        { headers: deadLetterHeaders, msgID: `${this.options.durableName}:${message.info.stream}:${message.info.streamSequence}` },
      );
      this.logger.error(`${message.subject} dead-lettered after ${attempt} attempts: ${reason}`);
      message.term(reason.slice(0, 200));
    } catch (publishError) {
      this.logger.error(`Dead-lettering failed, will retry: ${String(publishError)}`);
      message.nak(this.backoffMs[this.backoffMs.length - 1]);
    }
  }
}

function streamFor(pattern: string): string {
  const area = pattern.split('.')[0] as StreamArea;
  if (!(area in STREAMS)) throw new Error(`No stream carries subjects like "${pattern}"`);
  return STREAMS[area];
}

/** `ticketing` + `mail.*.received` → `ticketing__mail_any_received`: durable names allow no dots or wildcards. */
export function consumerName(durableName: string, pattern: string): string {
  return `${durableName}__${pattern.replace(/\*/g, 'any').replace(/>/g, 'all').replace(/\./g, '_')}`;
}

/** Nest's exception layer hands event-handler errors back as plain `{ status, message }` objects. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return typeof error === 'string' ? error : JSON.stringify(error);
}
