import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ApiActor } from '@ensoras/contracts';
import { recordActor } from './access/actor-context.js';
import { bearerTokenOf, isAdminToken } from './access/bearer.js';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` only, compared in constant time; the caller is recorded as the admin. The
 * routes of the services use @RequireScope / @AdminOnly (ApiAccessModule), which also answer scoped tokens; this guard
 * stays for routes not converted yet, and knows no scoped token (401 for one).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly token: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: ApiActor }>();
    const presented = bearerTokenOf(request.headers.authorization);
    if (presented === null || !isAdminToken(presented, this.token)) {
      throw new UnauthorizedException('A valid "Authorization: Bearer <ADMIN_TOKEN>" header is required');
    }
    request.actor = { kind: 'admin' };
    recordActor(request.actor);
    return true;
  }
}
