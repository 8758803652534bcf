import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { PublicRoute } from '../access/access.decorators.js';
import { METRICS_REGISTRY } from './metrics-registry.js';

/**
 * Prometheus scrape endpoint, served by the health module: the runtime's series (HTTP, consumers, outbox, dead
 * letters, process) and the service's own. Like /health it is unauthenticated and carries no secrets or mail content.
 */
@Controller('metrics')
@PublicRoute()
@ApiTags('Operations')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (no secrets, no mail content)' })
  @ApiProduces('text/plain')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
