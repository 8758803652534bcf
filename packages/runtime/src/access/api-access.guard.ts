import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiAccess, type AccessRequest } from './api-access.service.js';
import { ACCESS_RULE, type AccessRule } from './access-decision.js';

/**
 * The guard behind @RequireScope and @AdminOnly. The work is ApiAccess's (one per application, holding the token
 * replica and the rate limiter); Nest makes a guard per module that uses it.
 */
@Injectable()
export class ApiAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: ApiAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    // A route without a rule (the decorator on the controller of a handler that lost it) is kept to the admin.
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]) ?? { kind: 'admin' };
    const http = context.switchToHttp();
    await this.access.check(http.getRequest<AccessRequest>(), http.getResponse<{ setHeader(name: string, value: string): unknown }>(), rule);
    return true;
  }
}
