import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type SendOutcome = 'sent' | 'transient_failure' | 'permanent_failure';

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so that several
 * instances in one process, as in tests, do not collide.
 */
@Injectable()
export class DeliveryMetrics {
  readonly registry = new Registry();

  private readonly sent = new Counter({
    name: 'mail_outbound_sent_total',
    help: 'Mails accepted by the SMTP server.',
    registers: [this.registry],
  });

  private readonly failed = new Counter({
    name: 'mail_outbound_failed_total',
    help: 'Mails given up on (reported with mail.failed, permanent), by failure code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly retried = new Counter({
    name: 'mail_outbound_retries_total',
    help: 'SMTP attempts that failed transiently and will be retried, by failure code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly sentCopies = new Counter({
    name: 'mail_outbound_sent_copies_total',
    help: "Copies of sent mail in the mailbox's Sent folder, by outcome: appended (or found there), skipped (setting off, provider files it, no IMAP or no Sent folder), failed (attempts ran out).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly sendDuration = new Histogram({
    name: 'mail_outbound_send_duration_seconds',
    help: 'Duration of one SMTP transaction (connect or pooled connection, envelope, DATA), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Starts timing an SMTP transaction; call the result with its outcome. */
  startSend(): (outcome: SendOutcome) => void {
    const stop = this.sendDuration.startTimer();
    return (outcome) => stop({ outcome });
  }

  recordSent(): void {
    this.sent.inc();
  }

  recordFailed(code: string): void {
    this.failed.inc({ code });
  }

  recordRetry(code: string): void {
    this.retried.inc({ code });
  }

  recordSentCopy(outcome: 'appended' | 'skipped' | 'failed'): void {
    this.sentCopies.inc({ outcome });
  }
}
