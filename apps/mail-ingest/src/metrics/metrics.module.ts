import { Global, Module } from '@nestjs/common';
import { METRICS_REGISTRY } from '@ensoras/runtime';
import { IngestMetrics } from './ingest-metrics.js';

/** Global: the runtime's /metrics (health module) serves METRICS_REGISTRY together with the messaging metrics. */
@Global()
@Module({
  providers: [IngestMetrics, { provide: METRICS_REGISTRY, useFactory: (metrics: IngestMetrics) => metrics.registry, inject: [IngestMetrics] }],
  exports: [IngestMetrics, METRICS_REGISTRY],
})
export class MetricsModule {}
