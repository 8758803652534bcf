import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { IngestMetrics } from './ingest-metrics.js';

/** Prometheus scrape endpoint; like /health it is unauthenticated and carries no secrets or mail content. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IngestMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
