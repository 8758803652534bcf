import { Global, Module } from '@nestjs/common';
import { METRICS_REGISTRY } from '@ensoras/runtime';
import { DeliveryMetrics } from './delivery-metrics.js';

/** Global: the runtime's /metrics (health module) serves METRICS_REGISTRY together with the messaging metrics. */
@Global()
@Module({
  providers: [DeliveryMetrics, { provide: METRICS_REGISTRY, useFactory: (metrics: DeliveryMetrics) => metrics.registry, inject: [DeliveryMetrics] }],
  exports: [DeliveryMetrics, METRICS_REGISTRY],
})
export class MetricsModule {}
