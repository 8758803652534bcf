import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DeadLetters,
  NATS_CONNECTION,
  Outbox,
  type ConsumerObserver,
  type ConsumerRef,
  type DeadLetterKind,
  type FailureKind,
  type OutboxStats,
} from '@ensoras/messaging';
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  CONSUMER_ACK_PENDING,
  CONSUMER_PENDING,
  CONSUMER_REDELIVERED,
  DEAD_LETTERS_PUBLISHED,
  DEAD_LETTERS_STORED,
  EVENT_HANDLER_FAILURES,
  EVENT_REDELIVERIES,
  OUTBOX_OLDEST_PENDING_AGE,
  OUTBOX_ROWS,
} from './metric-catalog.js';
import { METRICS_REGISTRY } from './metrics-registry.js';

/** A scrape must not hang on a NATS that does not answer: the consumer gauges are left out instead. */
const CONSUMER_INFO_TIMEOUT_MS = 2_000;

/**
 * Prometheus metrics of the outbox, the event consumers and the dead letters. Counters are told by the JetStream
 * transport (ConsumerObserver); gauges are read at scrape time, one query or request each, and a dependency that
 * is down leaves its gauges out rather than failing the scrape.
 */
@Injectable()
export class MessagingMetrics implements ConsumerObserver {
  private readonly logger = new Logger(MessagingMetrics.name);
  private outboxStats: Promise<OutboxStats | null> | undefined;
  private consumerInfos: Promise<ConsumerInfo[]> | undefined;
  /** The durable consumers of this service, once the transport has set them up; none for a service that consumes nothing. */
  private consumers: readonly ConsumerRef[] = [];

  private readonly handlerFailures: Counter<'consumer' | 'kind'>;
  private readonly deadLetteredTotal: Counter<'consumer' | 'kind'>;
  private readonly redeliveries: Counter<'consumer'>;

  constructor(
    private readonly outbox: Outbox,
    private readonly deadLetters: DeadLetters,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const registers = [registry];
    this.handlerFailures = new Counter({ ...EVENT_HANDLER_FAILURES, registers });
    this.deadLetteredTotal = new Counter({ ...DEAD_LETTERS_PUBLISHED, registers });
    this.redeliveries = new Counter({ ...EVENT_REDELIVERIES, registers });
    // Inside collect(), `this` is the gauge.
    const readOutbox = () => this.readOutbox();
    const readConsumers = () => this.readConsumers();
    const letters = this.deadLetters;
    new Gauge({
      ...OUTBOX_OLDEST_PENDING_AGE,
      registers,
      async collect() {
        const stats = await readOutbox();
        this.reset();
        if (stats) this.set(stats.oldestPendingAgeSeconds);
      },
    });
    new Gauge({
      ...OUTBOX_ROWS,
      registers,
      async collect() {
        const stats = await readOutbox();
        this.reset();
        if (!stats) return;
        this.set({ state: 'pending' }, stats.pending);
        this.set({ state: 'parked' }, stats.parked);
      },
    });
    new Gauge({
      ...DEAD_LETTERS_STORED,
      registers,
      async collect() {
        this.reset();
        const count = await letters.count().catch(() => null);
        if (count !== null) this.set(count);
      },
    });
    const consumerGauge = (definition: typeof CONSUMER_PENDING, read: (info: ConsumerInfo) => number) =>
      new Gauge({
        ...definition,
        registers,
        async collect() {
          const infos = await readConsumers();
          this.reset();
          for (const info of infos) this.set({ stream: info.stream_name, consumer: info.name }, read(info));
        },
      });
    consumerGauge(CONSUMER_PENDING, (info) => info.num_pending);
    consumerGauge(CONSUMER_ACK_PENDING, (info) => info.num_ack_pending);
    consumerGauge(CONSUMER_REDELIVERED, (info) => info.num_redelivered);
  }

  consumersReady(consumers: readonly ConsumerRef[] = []): void {
    this.consumers = consumers;
    // Present from the start, so a rate() over them has a beginning.
    for (const { name } of consumers) this.redeliveries.inc({ consumer: name }, 0);
  }

  handlerFailed(consumer: string, kind: FailureKind): void {
    this.handlerFailures.inc({ consumer, kind });
  }

  deadLettered(consumer: string, kind: DeadLetterKind): void {
    this.deadLetteredTotal.inc({ consumer, kind });
  }

  redelivered(consumer: string): void {
    this.redeliveries.inc({ consumer });
  }

  /** One query per scrape, shared by the outbox gauges (prom-client collects them all at once). */
  private readOutbox(): Promise<OutboxStats | null> {
    this.outboxStats ??= this.outbox
      .stats()
      .catch((error: unknown) => {
        this.logger.debug(`Outbox statistics unavailable: ${String(error)}`);
        return null;
      })
      .finally(() => (this.outboxStats = undefined));
    return this.outboxStats;
  }

  /** One CONSUMER.INFO request per consumer and scrape (the only consumer API the service's NATS user may call). */
  private readConsumers(): Promise<ConsumerInfo[]> {
    this.consumerInfos ??= (async () => {
      if (this.consumers.length === 0 || this.connection.isClosed()) return [];
      try {
        const jsm = await jetstreamManager(this.connection, { timeout: CONSUMER_INFO_TIMEOUT_MS, checkAPI: false });
        const infos = await Promise.all(this.consumers.map(({ stream, name }) => jsm.consumers.info(stream, name).catch(() => null)));
        return infos.filter((info): info is ConsumerInfo => info !== null);
      } catch (error) {
        this.logger.debug(`Consumer information unavailable: ${String(error)}`);
        return [];
      }
    })().finally(() => (this.consumerInfos = undefined));
    return this.consumerInfos;
  }
}
