import { type DynamicModule, Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiTokenReplica } from '@ensoras/messaging';
import { actorContextMiddleware } from './actor-context.js';
import { ApiAccessGuard } from './api-access.guard.js';
import { API_ACCESS_OPTIONS, ApiAccess, type ApiAccessOptions } from './api-access.service.js';
import { RouteAccessCheck } from './route-access-check.js';

/**
 * Who may call the HTTP routes of a service, wired once per app: the ADMIN_TOKEN, scoped API tokens (replicated from
 * channel-config through the `api-tokens` bucket), the per-token rate limit, and the actor of each request
 * (`currentActor()`). Needs MessagingModule (the bucket). Routes say what they need with @RequireScope / @AdminOnly.
 */
@Global()
@Module({})
export class ApiAccessModule implements NestModule {
  static forRoot(options: ApiAccessOptions): DynamicModule {
    return {
      module: ApiAccessModule,
      imports: [DiscoveryModule],
      providers: [
        RouteAccessCheck,
        { provide: API_ACCESS_OPTIONS, useValue: options },
        ApiTokenReplica,
        ApiAccess,
        ApiAccessGuard,
      ],
      exports: [API_ACCESS_OPTIONS, ApiTokenReplica, ApiAccess, ApiAccessGuard],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(actorContextMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
