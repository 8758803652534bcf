import { Controller, Get, type DynamicModule, Global, Inject, type MiddlewareConsumer, Module, type NestModule, Optional, RequestMethod } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerStatus, MESSAGING_OPTIONS, NatsHealthIndicator, Outbox, type MessagingOptions } from '@ensoras/messaging';
import { PublicRoute } from './access/access.decorators.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { MessagingMetrics } from './metrics/messaging-metrics.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { createServiceRegistry, METRICS_REGISTRY } from './metrics/metrics-registry.js';

/** Extra readiness checks a service adds; like the others they must carry no tenant data. */
export const EXTRA_HEALTH_CHECKS = Symbol('EXTRA_HEALTH_CHECKS');

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  /** Readiness fails when the oldest unpublished outbox row is older than this (the relay is stuck). */
  outboxMaxAgeSeconds?: number;
}

const DEFAULT_OUTBOX_MAX_AGE_SECONDS = 300;

/**
 * Public and free of tenant data: `/health/live` says the process runs (it answers even while the database or
 * NATS is down, see bootstrap.ts), `/health/ready` says whether it can do its work. `/health` is ready's alias.
 */
@Controller('health')
@PublicRoute()
@ApiTags('Operations')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly outbox: Outbox,
    private readonly consumers: ConsumerStatus,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Optional() @Inject(EXTRA_HEALTH_CHECKS) private readonly extra: HealthIndicatorFunction[] = [],
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs (also while the database or NATS is down)' })
  live() {
    return { status: 'ok' };
  }

  /** 200 when the database, NATS, the consumers and the outbox are fine; 503 naming the failing part otherwise. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, NATS, consumers and outbox are fine' })
  @ApiServiceUnavailableResponse({ description: 'Names the failing part' })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.nats.isHealthy('nats'),
      () => this.checkConsumers(),
      () => this.checkOutbox(),
      ...(this.extra ?? []),
    ]);
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Alias of /health/ready' })
  check() {
    return this.ready();
  }

  private checkConsumers() {
    const indicator = this.indicators.check('consumers');
    const consuming = this.consumers.consuming();
    if (consuming === null) return indicator.up({ consuming: 'none' });
    return consuming ? indicator.up() : indicator.down({ message: 'consumers not set up yet' });
  }

  private async checkOutbox() {
    const indicator = this.indicators.check('outbox');
    const maxAge = this.options.outboxMaxAgeSeconds ?? DEFAULT_OUTBOX_MAX_AGE_SECONDS;
    try {
      const stats = await this.outbox.stats();
      const details = { oldestPendingAgeSeconds: Math.round(stats.oldestPendingAgeSeconds), pending: stats.pending, parked: stats.parked };
      return stats.oldestPendingAgeSeconds > maxAge
        ? indicator.down({ ...details, message: `the oldest unpublished event is older than ${maxAge} s` })
        : indicator.up(details);
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * Health and /metrics of every service, with the HTTP metrics of every route; global so that a service's metrics
 * register on its METRICS_REGISTRY (labelled with the service's name) and the transport reaches MessagingMetrics.
 */
@Global()
@Module({})
export class HealthModule implements NestModule {
  static forRoot(options: HealthOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: options },
        {
          provide: METRICS_REGISTRY,
          useFactory: (messaging: MessagingOptions) => createServiceRegistry(messaging.serviceName),
          inject: [MESSAGING_OPTIONS],
        },
        HttpMetrics,
        MessagingMetrics,
      ],
      exports: [METRICS_REGISTRY, MessagingMetrics],
    };
  }

  constructor(private readonly httpMetrics: HttpMetrics) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.httpMetrics.middleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
