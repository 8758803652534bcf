import { Controller, Get, type DynamicModule, Inject, Module, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule, TypeOrmHealthIndicator, type HealthIndicatorFunction } from '@nestjs/terminus';
import { NatsHealthIndicator } from '@ensoras/messaging';

/** Extra checks a service adds to its /health, e.g. the state of its mailboxes. */
export const EXTRA_HEALTH_CHECKS = Symbol('EXTRA_HEALTH_CHECKS');

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    @Optional() @Inject(EXTRA_HEALTH_CHECKS) private readonly extra: HealthIndicatorFunction[] = [],
  ) {}

  /** 200 when the database and NATS answer, 503 with the failing part named otherwise. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.nats.isHealthy('nats'),
      ...(this.extra ?? []),
    ]);
  }
}

@Module({})
export class HealthModule {
  static forRoot(): DynamicModule {
    return { module: HealthModule, imports: [TerminusModule], controllers: [HealthController] };
  }
}
