import { Module } from '@nestjs/common';
import { IngestMetrics } from './ingest-metrics.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  controllers: [MetricsController],
  providers: [IngestMetrics],
  exports: [IngestMetrics],
})
export class MetricsModule {}
