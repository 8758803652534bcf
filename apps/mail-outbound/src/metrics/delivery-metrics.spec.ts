import { createServiceRegistry, METRICS_OF_SERVICE } from '@ensoras/runtime';
import { describe, expect, it } from 'vitest';
import { DeliveryMetrics } from './delivery-metrics.js';

describe('DeliveryMetrics', () => {
  it("exports the catalog's mail-outbound series, SMTP results by outcome from the first scrape", async () => {
    const registry = createServiceRegistry('mail-outbound');
    const metrics = new DeliveryMetrics(registry);
    const before = await registry.metrics();
    for (const outcome of ['sent', 'transient_failure', 'permanent_failure']) {
      expect(before).toMatch(new RegExp(`^ensoras_mail_outbound_send_duration_seconds_count\\{service="mail-outbound",outcome="${outcome}"\\} 0$`, 'm'));
    }
    metrics.startSend()('sent');
    metrics.recordSent();
    metrics.startSend()('transient_failure');
    metrics.recordRetry('connection_refused');
    const text = await registry.metrics();
    for (const metric of METRICS_OF_SERVICE['mail-outbound']!) expect(text).toContain(`# TYPE ${metric.name} `);
    expect(text).toMatch(/^ensoras_mail_outbound_send_duration_seconds_count\{service="mail-outbound",outcome="sent"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_outbound_send_duration_seconds_count\{service="mail-outbound",outcome="transient_failure"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_outbound_sent_total\{service="mail-outbound"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_outbound_retries_total\{code="connection_refused",service="mail-outbound"\} 1$/m);
  });
});
