import { Global, Module } from '@nestjs/common';
import { IngestMetrics } from './ingest-metrics.js';

/** Global: its metrics register on the runtime's METRICS_REGISTRY (HealthModule), served at /metrics. */
@Global()
@Module({
  providers: [IngestMetrics],
  exports: [IngestMetrics],
})
export class MetricsModule {}
