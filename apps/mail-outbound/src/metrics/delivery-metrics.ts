import { Inject, Injectable } from '@nestjs/common';
import { MAILS_FAILED, MAILS_SENT, METRICS_REGISTRY, SENT_COPIES, SMTP_RETRIES, SMTP_SEND_DURATION } from '@ensoras/runtime';
import { Counter, Histogram, type Registry } from 'prom-client';

export type SendOutcome = 'sent' | 'transient_failure' | 'permanent_failure';

const SEND_OUTCOMES: readonly SendOutcome[] = ['sent', 'transient_failure', 'permanent_failure'];

/** The service's own Prometheus metrics, on the registry /metrics serves (named in the runtime's metric catalog). */
@Injectable()
export class DeliveryMetrics {
  private readonly sent: Counter;
  private readonly failed: Counter<'code'>;
  private readonly retried: Counter<'code'>;
  private readonly sentCopies: Counter<'outcome'>;
  private readonly sendDuration: Histogram<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({ ...MAILS_SENT, registers });
    this.failed = new Counter({ ...MAILS_FAILED, registers });
    this.retried = new Counter({ ...SMTP_RETRIES, registers });
    this.sentCopies = new Counter({ ...SENT_COPIES, registers });
    this.sendDuration = new Histogram({ ...SMTP_SEND_DURATION, registers });
    // Present from the start, so that rate() and the alert on failures have a beginning.
    for (const outcome of SEND_OUTCOMES) this.sendDuration.zero({ outcome });
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
