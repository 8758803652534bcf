import 'reflect-metadata';
import { Controller, Get, Module, Post, SetMetadata } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { describe, expect, it } from 'vitest';
import { ACCESS_RULE, type AccessRule } from './access-decision.js';
import { PublicRoute } from './access.decorators.js';
import { RouteAccessCheck } from './route-access-check.js';

// The rules as @RequireScope, @AdminOnly and @AnyToken set them, without their guard: the check reads only the rule.
const RequireScope = (scope: 'config:read' | 'config:write') => SetMetadata(ACCESS_RULE, { kind: 'scope', scope } satisfies AccessRule);
const AdminOnly = () => SetMetadata(ACCESS_RULE, { kind: 'admin' } satisfies AccessRule);
const AnyToken = () => SetMetadata(ACCESS_RULE, { kind: 'any-token' } satisfies AccessRule);

@Controller('v1/projects/:projectId/things')
@RequireScope('config:read')
class ScopedController {
  @Get()
  list(): string[] {
    return [];
  }

  @Post()
  @RequireScope('config:write')
  create(): void {}

  @(EventPattern('thing.changed') as MethodDecorator)
  onChange(): void {}
}

@Controller()
class MixedController {
  @Get('open')
  @PublicRoute()
  open(): string {
    return 'ok';
  }

  @Get('presets')
  @AnyToken()
  presets(): string[] {
    return [];
  }

  @Post('admin')
  @AdminOnly()
  admin(): void {}

  @Post('forgotten')
  forgotten(): void {}

  helper(): void {}
}

async function boot(controllers: Array<new (...args: never[]) => unknown>): Promise<void> {
  @Module({ imports: [DiscoveryModule], controllers, providers: [RouteAccessCheck] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false, abortOnError: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

describe('RouteAccessCheck', () => {
  it('lets a service start when every HTTP route names who may call it, on the handler or its controller', async () => {
    await expect(boot([ScopedController])).resolves.toBeUndefined();
  });

  it('refuses to start a service with an HTTP route that names nobody, naming the route', async () => {
    await expect(boot([ScopedController, MixedController])).rejects.toThrow(
      'HTTP routes without an access rule (@RequireScope, @AdminOnly, @AnyToken or @PublicRoute): MixedController.forgotten',
    );
  });
});
