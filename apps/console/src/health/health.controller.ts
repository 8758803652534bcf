import { Controller, Get } from '@nestjs/common';

/**
 * The probes every service answers, same paths and bodies. The console has no database or NATS to wait for: once
 * it listens it serves its page, and a service that is down shows as a 502 on that service's calls only, so its
 * readiness does not follow the services' (one service down must not take the console out of a load balancer).
 */
@Controller('health')
export class HealthController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    return { status: 'ok' };
  }

  @Get()
  check() {
    return this.ready();
  }
}
