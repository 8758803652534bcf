import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { STREAMS, type StreamArea } from '@ensoras/contracts';
import { AckPolicy, type Consumer, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { ensureStreams } from '../connection/topology.js';
import { deadLetter, REPLAY_FOR_HEADER, type DeadLetterKind } from '../dead-letters/dead-letters.js';
import { classifyEventFailure, describeError, type FailureKind } from './event-failure.js';
import { JetStreamContext } from './jetstream.context.js';
import { subjectMatches } from './subject-match.js';

/** What the transport tells the service's metrics and readiness about. */
export interface ConsumerObserver {
  consumersReady?(): void;
  handlerFailed?(consumer: string, kind: FailureKind): void;
  deadLettered?(consumer: string, kind: DeadLetterKind): void;
}

export interface JetStreamServerOptions {
  connection: NatsConnection;
  /** Durable consumer name; every replica of a service uses the same, so each event is handled by one of them. */
  durableName: string;
  /** Deliveries of an event whose handler fails with an unknown error before it is dead-lettered. */
  maxAttempts?: number;
  /** Wait before redelivery after the n-th unknown failure (the last value repeats). */
  backoffMs?: number[];
  /**
   * Wait before the next try while a dependency is unavailable (the last value repeats, without end). Capped at
   * half of `ackWaitMs`: the held event's lease is renewed at every try.
   */
  transientBackoffMs?: number[];
  /** How long a handler may run before JetStream assumes the replica died and redelivers. */
  ackWaitMs?: number;
  /**
   * Events pulled at once per consumer (still handled one after another, in order): saves a round trip per event
   * in a burst. Kept small: a replica that crashes leaves up to this many events to their ack wait, and those are
   * then handled after the events pulled by the next replica meanwhile (one event, without prefetch).
   */
  prefetch?: number;
  /** Wait before setting up the consumers again when NATS is not there yet (the last value repeats). */
  setupRetryMs?: number[];
  observer?: ConsumerObserver;
}

/**
 * A Nest transport on JetStream pull consumers: `@EventPattern('mail.*.received')` handlers get each event once it
 * is stored and acknowledge it only when they return. When they throw:
 * - a dependency is unavailable (database, NATS, a timeout): the event is held and retried with back-off for as
 *   long as that lasts; the consumer takes nothing else meanwhile, so order is kept and nothing spins;
 * - `PermanentEventError` (or a payload that is not JSON): dead-lettered at once with the reason;
 * - anything else: redelivered with back-off, dead-lettered after `maxAttempts`.
 * Dead letters go to `deadletter.<durable>.<subject>`, where they are listed and replayed (see dead-letters.ts).
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(JetStreamServer.name);
  private readonly inFlight = new Set<Promise<void>>();
  /** Events a handler gave up on because the server is closing: nak'd in order with the rest of their pull. */
  private readonly handedBack = new WeakSet<JsMsg>();
  private closing = false;
  private readonly sleepers = new Set<() => void>();
  private readonly maxAttempts: number;
  private readonly backoffMs: number[];
  private readonly transientBackoffMs: number[];
  private readonly ackWaitMs: number;
  private readonly prefetch: number;
  private ready = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? [1_000, 5_000, 30_000, 120_000];
    this.ackWaitMs = options.ackWaitMs ?? 60_000;
    this.prefetch = options.prefetch ?? 8;
    this.transientBackoffMs = (options.transientBackoffMs ?? [1_000, 2_000, 5_000, 10_000, 30_000]).map((ms) =>
      Math.min(ms, this.ackWaitMs / 2),
    );
  }

  /**
   * Returns at once: the consumers are set up in the background, again and again until NATS and JetStream
   * answer, so a service started during an outage comes up (not ready) instead of exiting.
   */
  listen(callback: (error?: unknown) => void): void {
    void this.setUpUntilDone();
    callback();
  }

  /** True once every consumer is set up and being pulled. */
  isConsuming(): boolean {
    return this.ready;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const wake of [...this.sleepers]) wake();
    // The pull loops end at their next turn; a pull still waiting ends when the connection drains.
    await Promise.allSettled([...this.inFlight]);
  }

  on(): never {
    throw new Error('JetStreamServer does not emit events');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private async setUpUntilDone(): Promise<void> {
    const delays = this.options.setupRetryMs ?? [500, 1_000, 2_000, 5_000];
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        const consumers = await this.setUpConsumers();
        if (this.closing) return;
        const js = jetstream(this.options.connection);
        for (const { stream, name } of consumers) void this.consumeForever(js, stream, name);
        this.ready = true;
        this.options.observer?.consumersReady?.();
        if (attempt > 1) this.logger.log(`Consumers of ${this.options.durableName} set up after ${attempt} attempts`);
        return;
      } catch (error) {
        const delay = delays[Math.min(attempt - 1, delays.length - 1)];
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn(`Cannot set up the consumers of ${this.options.durableName} yet (${describeError(error)}); retrying every ${delay} ms`);
        }
        await this.pause(delay);
      }
    }
  }

  /** One durable consumer per handled subject pattern: nats-server 2.9 (Debian's) has one filter per consumer. */
  private async setUpConsumers(): Promise<{ stream: string; name: string }[]> {
    const jsm = await jetstreamManager(this.options.connection, { timeout: 5_000 });
    await ensureStreams(jsm);
    const consumers: { stream: string; name: string }[] = [];
    for (const pattern of this.messageHandlers.keys()) {
      const stream = streamFor(pattern);
      const name = consumerName(this.options.durableName, pattern);
      await this.declareConsumer(jsm, stream, name, pattern);
      consumers.push({ stream, name });
    }
    return consumers;
  }

  private async declareConsumer(jsm: JetStreamManager, stream: string, name: string, pattern: string): Promise<void> {
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      // Unlimited: an event held through a long outage, or redelivered across restarts, must never be dropped
      // silently by the server; dead-lettering is decided here, with the reason.
      max_deliver: -1,
      filter_subject: pattern,
    };
    const existing = await jsm.consumers.info(stream, name).catch((error: unknown) => {
      if ((error as { code?: number }).code === 10014) return null;
      throw error;
    });
    if (!existing) {
      await jsm.consumers.add(stream, config);
      return;
    }
    await jsm.consumers.update(stream, name, config).catch((error: unknown) => {
      this.logger.warn(`Consumer ${name} keeps its previous settings: ${describeError(error)}`);
    });
  }

  /** Pulls batches of events, handles them one after another, and keeps pulling across NATS restarts. */
  private async consumeForever(js: JetStreamClient, stream: string, name: string): Promise<void> {
    while (!this.closing) {
      try {
        const consumer = await js.consumers.get(stream, name);
        while (!this.closing) {
          // Awaited by close(), so that the events this pull did not handle are handed back before NATS closes.
          const pulling = this.consumeBatch(consumer, name);
          this.inFlight.add(pulling);
          await pulling.finally(() => this.inFlight.delete(pulling));
        }
      } catch (error) {
        if (this.closing) return;
        this.logger.warn(`Consumer ${name} on ${stream} stopped (${describeError(error)}); resuming`);
        await this.pause(1_000);
      }
    }
  }

  /**
   * One pull of up to `prefetch` events: they are handled strictly one after another, in delivery order, each as
   * soon as it arrives (a single event waits for no batch to fill). The events waiting behind the one being handled
   * keep their leases: while they wait (during a long handler or an outage that holds the first), their ack wait
   * is renewed, so JetStream never redelivers them elsewhere meanwhile. At close, the events not handled are handed
   * back (nak) in order once the pull is over on the server: nak'd while it is open, an event would be delivered
   * into it again and sit out its ack wait there, behind the events after it.
   */
  private async consumeBatch(consumer: Consumer, name: string): Promise<void> {
    const batch = await consumer.fetch({ max_messages: this.prefetch, expires: PULL_EXPIRES_MS });
    const waiting: JsMsg[] = [];
    let arrived: (() => void) | undefined;
    let ended = false;
    let failure: unknown;
    const reading = (async () => {
      try {
        for await (const message of batch) {
          waiting.push(message);
          arrived?.();
        }
      } catch (error) {
        failure = error;
      } finally {
        ended = true;
        arrived?.();
      }
    })();
    const leases = setInterval(() => {
      for (const message of waiting) message.working();
    }, this.ackWaitMs / 3);
    try {
      while (!this.closing) {
        const message = waiting.shift();
        if (message) {
          const handling = this.handle(message, name);
          this.inFlight.add(handling);
          await handling.finally(() => this.inFlight.delete(handling));
          if (this.handedBack.has(message)) waiting.unshift(message);
          continue;
        }
        if (ended) break;
        await new Promise<void>((resolve) => {
          arrived = () => {
            this.sleepers.delete(arrived!);
            resolve();
          };
          this.sleepers.add(arrived);
        });
        arrived = undefined;
      }
      await reading;
    } finally {
      clearInterval(leases);
      if (this.closing) for (const message of waiting.splice(0)) message.nak();
    }
    if (failure) throw failure;
  }

  private async handle(message: JsMsg, consumer: string): Promise<void> {
    // A replayed dead letter is meant for the consumer that gave up on it, not for every consumer of the subject.
    const replayFor = message.headers?.get(REPLAY_FOR_HEADER);
    if (replayFor && replayFor !== this.options.durableName) {
      message.ack();
      return;
    }
    const pattern = [...this.messageHandlers.keys()].find((p) => subjectMatches(p, message.subject));
    const handler = pattern ? this.messageHandlers.get(pattern) : undefined;
    if (!handler) {
      // Without a reason: nats-server 2.9 ignores `+TERM <reason>` and would redeliver.
      message.term();
      return;
    }
    let data: unknown;
    try {
      data = message.json();
    } catch {
      await this.deadLetter(message, consumer, 'permanent', 'the payload is not JSON');
      return;
    }
    let outageStartedAt: number | undefined;
    for (let transientFailures = 0; ; ) {
      try {
        const result = await handler(data, new JetStreamContext(message));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        message.ack();
        if (outageStartedAt !== undefined) {
          this.logger.log(`${message.subject} handled after ${Math.round((Date.now() - outageStartedAt) / 1000)} s of unavailable dependencies`);
        }
        return;
      } catch (error) {
        const kind = classifyEventFailure(error);
        this.options.observer?.handlerFailed?.(consumer, kind);
        const reason = describeError(error);
        if (kind === 'transient') {
          if (this.closing) {
            // Handed back with the events pulled after it, first (see consumeBatch): another replica, or this one
            // after its restart, takes it from here.
            this.handedBack.add(message);
            return;
          }
          outageStartedAt ??= Date.now();
          const delay = this.transientBackoffMs[Math.min(transientFailures, this.transientBackoffMs.length - 1)];
          transientFailures++;
          if (transientFailures === 1 || transientFailures % 20 === 0) {
            this.logger.warn(`${message.subject} waits for an unavailable dependency (try ${transientFailures}), next in ${delay} ms: ${reason}`);
          }
          message.working();
          await this.pause(delay);
          message.working();
          continue;
        }
        if (kind === 'permanent') {
          await this.deadLetter(message, consumer, 'permanent', reason);
          return;
        }
        await this.retryOrDeadLetter(message, consumer, reason);
        return;
      }
    }
  }

  private async retryOrDeadLetter(message: JsMsg, consumer: string, reason: string): Promise<void> {
    const attempt = message.info.deliveryCount;
    if (attempt < this.maxAttempts) {
      const delay = this.backoffMs[Math.min(attempt - 1, this.backoffMs.length - 1)];
      this.logger.warn(`${message.subject} failed (attempt ${attempt}/${this.maxAttempts}), retry in ${delay} ms: ${reason}`);
      message.nak(delay);
      return;
    }
    await this.deadLetter(message, consumer, 'exhausted', reason);
  }

  private async deadLetter(message: JsMsg, consumer: string, kind: DeadLetterKind, reason: string): Promise<void> {
    try {
      await deadLetter(this.options.connection, this.options.durableName, message, { kind, reason, consumer });
      this.logger.error(`${message.subject} dead-lettered (${kind}, attempt ${message.info.deliveryCount}): ${reason}`);
      this.options.observer?.deadLettered?.(consumer, kind);
      // Without a reason: nats-server 2.9 only knows a bare `+TERM`; with one it ignores the term and redelivers.
      message.term();
    } catch (publishError) {
      this.logger.error(`Dead-lettering failed, will retry: ${describeError(publishError)}`);
      message.nak(this.backoffMs[this.backoffMs.length - 1]);
    }
  }

  /** Sleeps, but wakes at close(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closing) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

/** How long one pull stays open on the server; also how long close() may wait for it to end. */
const PULL_EXPIRES_MS = 2_000;

function streamFor(pattern: string): string {
  const area = pattern.split('.')[0] as StreamArea;
  if (!(area in STREAMS)) throw new Error(`No stream carries subjects like "${pattern}"`);
  return STREAMS[area];
}

/** `ticketing` + `mail.*.received` → `ticketing__mail_any_received`: durable names allow no dots or wildcards. */
export function consumerName(durableName: string, pattern: string): string {
  return `${durableName}__${pattern.replace(/\*/g, 'any').replace(/>/g, 'all').replace(/\./g, '_')}`;
}
