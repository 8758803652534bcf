import { Inject, Injectable } from '@nestjs/common';
import { IMPORT_LATENCY, MAILBOXES, MAILS_IMPORTED, METRICS_REGISTRY } from '@ensoras/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ImportResult = 'published' | 'duplicate' | 'quarantined';

const MAILBOX_STATES = ['connecting', 'importing', 'idle', 'polling', 'backoff', 'paused'] as const;
const IMPORT_RESULTS: readonly ImportResult[] = ['published', 'duplicate', 'quarantined'];

/** The service's own Prometheus metrics, on the registry /metrics serves (named in the runtime's metric catalog). */
@Injectable()
export class IngestMetrics {
  private mailboxStates: () => string[] = () => [];
  private readonly imported: Counter<'result'>;
  private readonly latency: Histogram;
  private readonly mailboxes: Gauge<'state'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.imported = new Counter({ ...MAILS_IMPORTED, registers });
    this.latency = new Histogram({ ...IMPORT_LATENCY, registers });
    this.mailboxes = new Gauge({ ...MAILBOXES, registers, collect: () => this.countMailboxStates() });
    for (const result of IMPORT_RESULTS) this.imported.inc({ result }, 0);
  }

  /** Where the states of the watched mailboxes come from; read at every scrape. */
  observeMailboxStates(source: () => string[]): void {
    this.mailboxStates = source;
  }

  countImport(result: ImportResult): void {
    this.imported.inc({ result });
  }

  observeLatency(seconds: number): void {
    this.latency.observe(Math.max(0, seconds));
  }

  private countMailboxStates(): void {
    const counts = new Map<string, number>(MAILBOX_STATES.map((state) => [state, 0]));
    for (const state of this.mailboxStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
    this.mailboxes.reset();
    for (const [state, count] of counts) this.mailboxes.set({ state }, count);
  }
}
