import { Module } from '@nestjs/common';
import { METRICS_REGISTRY, MetricsController } from '@ensoras/runtime';
import { IngestMetrics } from './ingest-metrics.js';

@Module({
  controllers: [MetricsController],
  providers: [IngestMetrics, { provide: METRICS_REGISTRY, useFactory: (metrics: IngestMetrics) => metrics.registry, inject: [IngestMetrics] }],
  exports: [IngestMetrics],
})
export class MetricsModule {}
