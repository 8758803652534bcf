import { Global, Module } from '@nestjs/common';
import { AiMetrics } from './ai-metrics.js';

/** Global: its metrics register on the runtime's METRICS_REGISTRY (HealthModule), served at /metrics. */
@Global()
@Module({
  providers: [AiMetrics],
  exports: [AiMetrics],
})
export class MetricsModule {}
