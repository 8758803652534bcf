import type { ApiScope, ApiTokenRecord } from '@ensoras/contracts';

/** Metadata key of a route's AccessRule (set by @RequireScope, @AdminOnly and @AnyToken). */
export const ACCESS_RULE = 'ensoras:access-rule';
/** Metadata key of a route anyone may call, on purpose (probes, metrics, the OAuth callback). */
export const PUBLIC_ROUTE = 'ensoras:public-route';

/**
 * What a route needs: a scope (and, with `:projectId` in its path, that project), the ADMIN_TOKEN itself, or any
 * valid token (reference data that belongs to no project and tells nothing about one, such as provider presets).
 */
export type AccessRule = { kind: 'scope'; scope: ApiScope } | { kind: 'admin' } | { kind: 'any-token' };

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; message: string; missingScope?: ApiScope; projectId?: string };

/**
 * Whether a scoped token may call a route with this rule, on this project (`undefined` for a route without a
 * project in its path). The scope is checked first: a token that may not do this at all is told so, whatever the
 * project. The ADMIN_TOKEN never gets here: it may do everything.
 */
export function decideAccess(token: Pick<ApiTokenRecord, 'projects' | 'scopes'>, rule: AccessRule, projectId: string | undefined): AccessDecision {
  if (rule.kind === 'admin') {
    return { allowed: false, message: 'This route needs the ADMIN_TOKEN; API tokens cannot use it' };
  }
  if (rule.kind === 'any-token') return { allowed: true };
  if (!token.scopes.includes(rule.scope)) {
    return { allowed: false, message: `This token lacks the scope "${rule.scope}"`, missingScope: rule.scope };
  }
  if (token.projects === '*') return { allowed: true };
  if (projectId === undefined) {
    // A route across projects would show a token more than its list; only a token for every project may use it.
    return { allowed: false, message: 'This route spans all projects; only a token for every project ("*") may use it' };
  }
  if (!token.projects.includes(projectId)) {
    return { allowed: false, message: `This token is not for the project "${projectId}"`, projectId };
  }
  return { allowed: true };
}
