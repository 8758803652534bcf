import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DeliveryMetrics } from './delivery-metrics.js';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: DeliveryMetrics) {}

  /** Prometheus text exposition format (the registry's default). */
  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
