import { Global, Module } from '@nestjs/common';
import { DeliveryMetrics } from './delivery-metrics.js';

/** Global: its metrics register on the runtime's METRICS_REGISTRY (HealthModule), served at /metrics. */
@Global()
@Module({
  providers: [DeliveryMetrics],
  exports: [DeliveryMetrics],
})
export class MetricsModule {}
