import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ImportResult = 'published' | 'duplicate' | 'quarantined';

const MAILBOX_STATES = ['connecting', 'importing', 'idle', 'polling', 'backoff', 'paused'] as const;
const IMPORT_RESULTS: readonly ImportResult[] = ['published', 'duplicate', 'quarantined'];

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so that several
 * instances in one process (tests) do not collide.
 */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();
  private mailboxStates: () => string[] = () => [];

  private readonly imported = new Counter({
    name: 'mail_ingest_mails_imported_total',
    help: 'Mails taken from a mailbox: published as mail.received, found already stored (re-import), or quarantined',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'mail_ingest_import_latency_seconds',
    help:
      'From a mail landing in the mailbox (IMAP INTERNALDATE, whole seconds) to its mail.received event being stored; ' +
      'only mail that arrived while the mailbox was being watched',
    buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private readonly mailboxes: Gauge<'state'> = new Gauge({
    name: 'mail_ingest_mailboxes',
    help: 'Mailboxes this replica watches, by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.countMailboxStates(),
  });

  constructor() {
    for (const result of IMPORT_RESULTS) this.imported.inc({ result }, 0);
    collectDefaultMetrics({ register: this.registry, prefix: 'mail_ingest_' });
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
