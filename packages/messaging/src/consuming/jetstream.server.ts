import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { STREAMS, type StreamArea } from '@ensoras/contracts';
import { AckPolicy, type Consumer, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import type { StreamSettings } from '../connection/stream-settings.js';
import { ensureStreams } from '../connection/topology.js';
import { deadLetter, REPLAY_FOR_HEADER, type DeadLetterKind } from '../dead-letters/dead-letters.js';
import { isBatchHandler, maxBatchOf } from './event-batches.js';
import { classifyEventFailure, describeError, type FailureKind } from './event-failure.js';
import { JetStreamContext } from './jetstream.context.js';
import { ProjectLanes } from './project-lanes.js';
import { subjectMatches } from './subject-match.js';
import { traceHandling } from '../telemetry/event-tracing.js';

/** A durable consumer of the service, as its metrics ask JetStream about it. */
export interface ConsumerRef {
  stream: string;
  name: string;
}

/** What the transport tells the service's metrics and readiness about. */
export interface ConsumerObserver {
  consumersReady?(consumers: readonly ConsumerRef[]): void;
  handlerFailed?(consumer: string, kind: FailureKind): void;
  deadLettered?(consumer: string, kind: DeadLetterKind): void;
  redelivered?(consumer: string): void;
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
   * Events a consumer holds at once (queued in their project's lane or being handled), 4096 by default: the window
   * must reach past one project's backlog for another project's event to be pulled at all. `prefetchBytes` bounds
   * memory. A replica that crashes leaves what it held to the ack wait; the events of those projects pulled
   * meanwhile by another replica are handled before them.
   */
  prefetch?: number;
  /** Bytes of events a consumer holds at once; 16 MiB by default. */
  prefetchBytes?: number;
  /** Projects whose events a consumer handles at the same time, each project's one after another; 8 by default. */
  maxConcurrentProjects?: number;
  /** Wait before setting up the consumers again when NATS is not there yet (the last value repeats). */
  setupRetryMs?: number[];
  observer?: ConsumerObserver;
  /** Retention and replicas of the streams it declares (the service's NATS_STREAM_* settings); the defaults otherwise. */
  streams?: StreamSettings;
}

/**
 * A Nest transport on JetStream pull consumers: `@EventPattern('mail.*.received')` handlers get each event once it
 * is stored and acknowledge it only when they return. A project's events are handled one after another, in order;
 * different projects' events at the same time, taking turns (see ProjectLanes), so one project's backlog does not
 * hold up the others. When a handler throws:
 * - a dependency is unavailable (database, NATS, a timeout): the event is held and retried with back-off for as
 *   long as that lasts; its project takes nothing else meanwhile, so order is kept and nothing spins;
 * - `PermanentEventError` (or a payload that is not JSON): dead-lettered at once with the reason;
 * - anything else: redelivered with back-off, dead-lettered after `maxAttempts`.
 * Dead letters go to `deadletter.<durable>.<subject>`, where they are listed and replayed (see dead-letters.ts).
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(JetStreamServer.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  /** One per consumer: what it pulled and has not settled; handed back at close. */
  private readonly lanes = new Set<ProjectLanes<JsMsg>>();
  private closing = false;
  private readonly sleepers = new Set<() => void>();
  private readonly maxAttempts: number;
  private readonly backoffMs: number[];
  private readonly transientBackoffMs: number[];
  private readonly ackWaitMs: number;
  private readonly prefetch: number;
  private readonly prefetchBytes: number;
  private readonly maxConcurrentProjects: number;
  private ready = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? [1_000, 5_000, 30_000, 120_000];
    this.ackWaitMs = options.ackWaitMs ?? 60_000;
    this.prefetch = options.prefetch ?? 4_096;
    this.prefetchBytes = options.prefetchBytes ?? 16 * 1024 * 1024;
    this.maxConcurrentProjects = options.maxConcurrentProjects ?? 8;
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
    for (const lanes of this.lanes) lanes.stop();
    for (const wake of [...this.sleepers]) wake();
    // The pull loops end at their next turn; a pull still waiting ends when the connection drains. No pull or
    // handler starts after this point, so what is still held once these are over is handed back, in order.
    await Promise.allSettled([...this.inFlight]);
    for (const lanes of this.lanes) lanes.handBack();
    this.lanes.clear();
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
        for (const { stream, name, pattern } of consumers) void this.consumeForever(js, stream, name, pattern);
        this.ready = true;
        this.options.observer?.consumersReady?.(consumers.map(({ stream, name }) => ({ stream, name })));
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
  private async setUpConsumers(): Promise<{ stream: string; name: string; pattern: string }[]> {
    const jsm = await jetstreamManager(this.options.connection, { timeout: 5_000 });
    await ensureStreams(jsm, this.options.streams);
    const consumers: { stream: string; name: string; pattern: string }[] = [];
    for (const pattern of this.messageHandlers.keys()) {
      const stream = streamFor(pattern);
      const name = consumerName(this.options.durableName, pattern);
      await this.declareConsumer(jsm, stream, name, pattern);
      consumers.push({ stream, name, pattern });
    }
    return consumers;
  }

  private async declareConsumer(jsm: JetStreamManager, stream: string, name: string, pattern: string): Promise<void> {
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      // Unlimited: each replica bounds what it holds by its own window (prefetch, prefetchBytes); the server's
      // default of 1000 would stop delivering below the window, and a project's event behind a backlog with it.
      max_ack_pending: -1,
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

  /** Pulls events into the consumer's lanes while its window has room, and keeps pulling across NATS restarts. */
  private async consumeForever(js: JetStreamClient, stream: string, name: string, pattern: string): Promise<void> {
    const maxBatch = maxBatchOf(this.messageHandlers.get(pattern)?.extras);
    const lanes = new ProjectLanes<JsMsg>({
      maxConcurrentProjects: this.maxConcurrentProjects,
      maxEvents: this.prefetch,
      maxBytes: this.prefetchBytes,
      largestEventBytes: (this.options.connection.info?.max_payload ?? 1024 * 1024) + ENVELOPE_ROOM_BYTES,
      // Three renewals per ack wait: one lost or late renewal still leaves the lease in force.
      leaseRenewalMs: this.ackWaitMs / 3,
      // Awaited by close(), so that every handler has returned before what is left is handed back.
      handle: (message) => this.tracked(this.handle(message, name)),
      maxBatch,
      handleBatch: (messages) => this.tracked(this.handleBatch(messages, name)),
      failed: (message, error) =>
        this.logger.error(`${message.subject} left in an unknown state (${describeError(error)}); its project's queued events go back to JetStream`),
    });
    this.lanes.add(lanes);
    while (!this.closing) {
      try {
        const consumer = await js.consumers.get(stream, name);
        while (!this.closing) {
          const events = lanes.nextPull();
          if (events === 0) {
            await lanes.roomFreed();
            continue;
          }
          // Awaited by close(), so that the events this pull brings are handed back only once it is over.
          await this.tracked(this.pull(consumer, events, lanes));
        }
      } catch (error) {
        if (this.closing) return;
        this.logger.warn(`Consumer ${name} on ${stream} stopped (${describeError(error)}); resuming`);
        await this.pause(1_000);
      }
    }
  }

  /** One pull: each event goes to its project's lane as soon as it arrives (a single event waits for no batch). */
  private async pull(consumer: Consumer, events: number, lanes: ProjectLanes<JsMsg>): Promise<void> {
    const batch = await consumer.fetch({ max_messages: events, expires: PULL_EXPIRES_MS });
    for await (const message of batch) {
      if (message.info.deliveryCount > 1) this.options.observer?.redelivered?.(message.info.consumer);
      lanes.add(message);
    }
  }

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /** Resolves true once the event is settled (ack, nak or term), false when it is still held because of close. */
  private async handle(message: JsMsg, consumer: string): Promise<boolean> {
    // A replayed dead letter is meant for the consumer that gave up on it, not for every consumer of the subject.
    const replayFor = message.headers?.get(REPLAY_FOR_HEADER);
    if (replayFor && replayFor !== this.options.durableName) {
      message.ack();
      return true;
    }
    const pattern = [...this.messageHandlers.keys()].find((p) => subjectMatches(p, message.subject));
    const handler = pattern ? this.messageHandlers.get(pattern) : undefined;
    if (!handler) {
      // Without a reason: nats-server 2.9 ignores `+TERM <reason>` and would redeliver.
      message.term();
      return true;
    }
    let data: unknown;
    try {
      data = message.json();
    } catch {
      await this.deadLetter(message, consumer, 'permanent', 'the payload is not JSON');
      return true;
    }
    // A batch handler always gets an array: here, of this one event.
    if (isBatchHandler(handler.extras)) data = [data];
    let outageStartedAt: number | undefined;
    for (let transientFailures = 0; ; ) {
      try {
        // In the event's log context and trace (see event-tracing.ts).
        await traceHandling(consumer, message.subject, data, async () => {
          const result = await handler(data, new JetStreamContext(message));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
        message.ack();
        if (outageStartedAt !== undefined) {
          this.logger.log(`${message.subject} handled after ${Math.round((Date.now() - outageStartedAt) / 1000)} s of unavailable dependencies`);
        }
        return true;
      } catch (error) {
        const kind = classifyEventFailure(error);
        this.options.observer?.handlerFailed?.(consumer, kind);
        const reason = describeError(error);
        if (kind === 'transient') {
          if (this.closing) {
            // Handed back with the events held after it, first (see ProjectLanes.handBack): another replica, or this
            // one after its restart, takes it from here.
            return false;
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
          return true;
        }
        await this.retryOrDeadLetter(message, consumer, reason);
        return true;
      }
    }
  }

  /**
   * Consecutive events of one project for a handler `inBatchesOf(n)`: handled together and all acknowledged when
   * it returns; when it throws (a conflict, an outage, one bad event), handled again one by one, each with its own
   * outcome. A replayed dead letter or an event that is not JSON also sends the batch down that path.
   */
  private async handleBatch(messages: readonly JsMsg[], consumer: string): Promise<boolean[]> {
    const pattern = [...this.messageHandlers.keys()].find((p) => subjectMatches(p, messages[0]!.subject));
    const handler = pattern ? this.messageHandlers.get(pattern) : undefined;
    const data = handler && !messages.some((message) => message.headers?.get(REPLAY_FOR_HEADER)) ? jsonOfEach(messages) : null;
    if (!handler || !data) return this.handleEachOf(messages, consumer);
    try {
      await traceHandling(consumer, messages[0]!.subject, data, async () => {
        const result = await handler(data, new JetStreamContext(messages[0]!, messages));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      });
    } catch (error) {
      this.logger.debug(`${messages.length} events of ${pattern} are handled one by one after their batch failed: ${describeError(error)}`);
      return this.handleEachOf(messages, consumer);
    }
    for (const message of messages) message.ack();
    return messages.map(() => true);
  }

  /**
   * The events of a failed batch, one after another. Those not yet started keep their leases: the first may be
   * held through an outage far longer than the ack wait, and the rest must not be redelivered meanwhile.
   */
  private async handleEachOf(messages: readonly JsMsg[], consumer: string): Promise<boolean[]> {
    const waiting = new Set(messages);
    const leases = setInterval(() => {
      try {
        for (const message of waiting) message.working();
      } catch {
        // Closed connection: the leases are moot.
      }
    }, this.ackWaitMs / 3);
    const settled: boolean[] = [];
    try {
      for (const message of messages) {
        waiting.delete(message);
        // Closing: the rest are still held and handed back with the other held events, in order.
        settled.push(this.closing ? false : await this.handle(message, consumer));
      }
    } finally {
      clearInterval(leases);
    }
    return settled;
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

/** What a delivered event takes beyond its payload (subject, reply subject), so the largest one fits a pull. */
const ENVELOPE_ROOM_BYTES = 4_096;

/** Each event's JSON, or null when one of them is not JSON (handled alone, it is dead-lettered). */
function jsonOfEach(messages: readonly JsMsg[]): unknown[] | null {
  try {
    return messages.map((message) => message.json());
  } catch {
    return null;
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
