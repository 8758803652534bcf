import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiScope } from '@ensoras/contracts';
import { BEARER_SCHEME } from '../openapi/api-document.js';
import { ACCESS_RULE, PUBLIC_ROUTE, type AccessRule } from './access-decision.js';
import { ApiAccessGuard } from './api-access.guard.js';

/**
 * The route needs the ADMIN_TOKEN or a scoped token with `scope`, for the route's `:projectId` (routes without one:
 * a token for every project). Put on each handler, or on a controller whose handlers all need the same scope; a
 * handler's own rule wins.
 */
export function RequireScope(scope: ApiScope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'scope', scope } satisfies AccessRule),
    UseGuards(ApiAccessGuard),
    ...tokenRequired(`Needs the ADMIN_TOKEN or an API token with the scope "${scope}" for the project in the path (a route without one: a token for every project)`),
  );
}

/** The route needs the ADMIN_TOKEN itself: cross-project and operator routes (tokens, dead letters, outbox, mailboxes). */
export function AdminOnly(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'admin' } satisfies AccessRule),
    UseGuards(ApiAccessGuard),
    ...tokenRequired('Needs the ADMIN_TOKEN itself; API tokens cannot use this route'),
  );
}

/** Any valid token, whatever its scopes and projects: reference data that belongs to no project (provider presets). */
export function AnyToken(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'any-token' } satisfies AccessRule),
    UseGuards(ApiAccessGuard),
    ...tokenRequired('Needs a valid token, the ADMIN_TOKEN or an API token of any scope'),
  );
}

/**
 * No token at all, on purpose: probes, metrics (neither carries tenant data or secrets) and redirects whose own
 * parameters authenticate them (the OAuth callback's state). Every other HTTP route must name its access rule.
 */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/**
 * What the API description says of a route with a token rule (the answers are ApiAccess's): the rule is declared
 * once, so the description cannot say something else than the guard does.
 */
function tokenRequired(forbidden: string): Array<ClassDecorator & MethodDecorator> {
  return [
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'No token, or one that is unknown or revoked' }),
    ApiForbiddenResponse({ description: forbidden }),
    ApiTooManyRequestsResponse({ description: 'The API token is over its rate limit (API_RATE_LIMIT_PER_MINUTE); see Retry-After' }),
  ];
}
