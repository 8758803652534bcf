import { Injectable, Logger } from '@nestjs/common';
import { DeadLetters, Outbox, type ConsumerObserver, type DeadLetterKind, type FailureKind, type OutboxStats } from '@ensoras/messaging';
import { Counter, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics of the outbox and the event consumers, in a registry of their own that /metrics serves
 * together with the service's. Read at scrape time; a dependency that is down leaves its gauges out.
 */
@Injectable()
export class MessagingMetrics implements ConsumerObserver {
  readonly registry = new Registry();
  private readonly logger = new Logger(MessagingMetrics.name);
  private outboxStats: Promise<OutboxStats | null> | undefined;

  private readonly handlerFailures = new Counter({
    name: 'messaging_handler_failures_total',
    help: 'Event handler failures by consumer and kind: transient (a dependency was unavailable; retried), permanent, unknown',
    labelNames: ['consumer', 'kind'] as const,
    registers: [this.registry],
  });

  private readonly deadLetteredTotal = new Counter({
    name: 'messaging_events_dead_lettered_total',
    help: 'Events this process dead-lettered, by consumer and kind (permanent: rejected by the handler; exhausted: kept failing)',
    labelNames: ['consumer', 'kind'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly outbox: Outbox,
    private readonly deadLetters: DeadLetters,
  ) {
    // Inside collect(), `this` is the gauge.
    const readOutbox = () => this.readOutbox();
    const letters = this.deadLetters;
    new Gauge({
      name: 'messaging_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest outbox row not yet published (0 when none waits; parked rows not counted)',
      registers: [this.registry],
      async collect() {
        const stats = await readOutbox();
        this.reset();
        if (stats) this.set(stats.oldestPendingAgeSeconds);
      },
    });
    new Gauge({
      name: 'messaging_outbox_rows',
      help: 'Outbox rows waiting to be published (pending) or moved aside after failing (parked)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const stats = await readOutbox();
        this.reset();
        if (!stats) return;
        this.set({ state: 'pending' }, stats.pending);
        this.set({ state: 'parked' }, stats.parked);
      },
    });
    new Gauge({
      name: 'messaging_dead_letters',
      help: "Dead letters of this service waiting in the DEADLETTER stream (listed and replayed with `npm run deadletters`)",
      labelNames: ['service'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const count = await letters.count().catch(() => null);
        if (count !== null) this.set({ service: letters.service }, count);
      },
    });
  }

  handlerFailed(consumer: string, kind: FailureKind): void {
    this.handlerFailures.inc({ consumer, kind });
  }

  deadLettered(consumer: string, kind: DeadLetterKind): void {
    this.deadLetteredTotal.inc({ consumer, kind });
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
}
