import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { ApiScope } from '@ensoras/contracts';
import { ACCESS_RULE, PUBLIC_ROUTE, type AccessRule } from './access-decision.js';
import { ApiAccessGuard } from './api-access.guard.js';

/**
 * The route needs the ADMIN_TOKEN or a scoped token with `scope`, for the route's `:projectId` (routes without one:
 * a token for every project). Put on each handler, or on a controller whose handlers all need the same scope; a
 * handler's own rule wins.
 */
export function RequireScope(scope: ApiScope): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'scope', scope } satisfies AccessRule), UseGuards(ApiAccessGuard));
}

/** The route needs the ADMIN_TOKEN itself: cross-project and operator routes (tokens, dead letters, outbox, mailboxes). */
export function AdminOnly(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'admin' } satisfies AccessRule), UseGuards(ApiAccessGuard));
}

/** Any valid token, whatever its scopes and projects: reference data that belongs to no project (provider presets). */
export function AnyToken(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'any-token' } satisfies AccessRule), UseGuards(ApiAccessGuard));
}

/**
 * No token at all, on purpose: probes, metrics (neither carries tenant data or secrets) and redirects whose own
 * parameters authenticate them (the OAuth callback's state). Every other HTTP route must name its access rule.
 */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}
