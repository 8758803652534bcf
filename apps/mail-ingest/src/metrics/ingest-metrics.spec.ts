import { createServiceRegistry, METRICS_OF_SERVICE } from '@ensoras/runtime';
import { describe, expect, it } from 'vitest';
import { IngestMetrics } from './ingest-metrics.js';

describe('IngestMetrics', () => {
  it("exports the catalog's mail-ingest series, labelled with the service", async () => {
    const registry = createServiceRegistry('mail-ingest');
    const metrics = new IngestMetrics(registry);
    metrics.countImport('published');
    metrics.observeLatency(1.2);
    metrics.observeMailboxStates(() => ['idle', 'idle', 'paused']);
    const text = await registry.metrics();
    for (const metric of METRICS_OF_SERVICE['mail-ingest']!) expect(text).toContain(`# TYPE ${metric.name} `);
    expect(text).toMatch(/^ensoras_mail_ingest_mails_imported_total\{result="published",service="mail-ingest"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_mails_imported_total\{result="quarantined",service="mail-ingest"\} 0$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_import_latency_seconds_bucket\{le="1.5",service="mail-ingest"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_mailboxes\{state="idle",service="mail-ingest"\} 2$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_mailboxes\{state="paused",service="mail-ingest"\} 1$/m);
  });
});
