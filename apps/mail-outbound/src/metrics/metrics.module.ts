import { Module } from '@nestjs/common';
import { METRICS_REGISTRY, MetricsController } from '@ensoras/runtime';
import { DeliveryMetrics } from './delivery-metrics.js';

@Module({
  controllers: [MetricsController],
  providers: [DeliveryMetrics, { provide: METRICS_REGISTRY, useFactory: (metrics: DeliveryMetrics) => metrics.registry, inject: [DeliveryMetrics] }],
  exports: [DeliveryMetrics],
})
export class MetricsModule {}
