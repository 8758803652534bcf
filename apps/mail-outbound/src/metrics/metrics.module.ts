import { Module } from '@nestjs/common';
import { DeliveryMetrics } from './delivery-metrics.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  controllers: [MetricsController],
  providers: [DeliveryMetrics],
  exports: [DeliveryMetrics],
})
export class MetricsModule {}
