import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { PublicRoute } from './access/access.decorators.js';
import { MessagingMetrics } from './messaging-metrics.js';

/** The service's own Prometheus registry (not prom-client's global one: several apps in one test process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/**
 * Prometheus scrape endpoint, served by the health module: the service's own metrics (when it provides
 * METRICS_REGISTRY) and the messaging ones. Like /health it is unauthenticated and carries no secrets or mail content.
 */
@Controller('metrics')
@PublicRoute()
@ApiTags('Operations')
export class MetricsController {
  constructor(
    private readonly messaging: MessagingMetrics,
    @Optional() @Inject(METRICS_REGISTRY) private readonly registry?: Registry,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (no secrets, no mail content)' })
  @ApiProduces('text/plain')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    const registries = this.registry ? [this.registry, this.messaging.registry] : [this.messaging.registry];
    return Registry.merge(registries).metrics();
  }
}
