/*
 * Scoped API tokens: what a token may do (scopes), on which projects, and who an audited change was made by. The
 * ADMIN_TOKEN of a deployment may do everything; a scoped token only what it was given (docs: README, "API tokens").
 */

/** Every scope a token can be given; each route of the services needs one of them, or the ADMIN_TOKEN. */
export const API_SCOPES = ['config:read', 'config:write', 'inbox:read', 'inbox:write', 'knowledge:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value);
}

/** The projects a token is for: a list of project ids, or every project (`"*"`). */
export type ApiTokenProjects = string[] | '*';

/**
 * What channel-config replicates into the API_TOKENS_BUCKET for each active token, keyed by the hex SHA-256 of the
 * secret: enough for any service to decide a request without a network round trip. Never the secret.
 */
export interface ApiTokenRecord {
  id: string;
  name: string;
  projects: ApiTokenProjects;
  scopes: ApiScope[];
}

/** A token as GET /v1/tokens lists it: never its secret nor its hash. */
export interface ApiTokenView {
  id: string;
  name: string;
  projects: ApiTokenProjects;
  scopes: ApiScope[];
  createdAt: string;
  /** Null while active; a revoked token is listed so that audit entries naming it stay explainable. */
  revokedAt: string | null;
}

/** The answer of POST /v1/tokens: the only time the secret is shown. */
export interface CreatedApiTokenView extends Omit<ApiTokenView, 'revokedAt'> {
  token: string;
}

/**
 * Who made a change: the holder of the ADMIN_TOKEN, a scoped token (by id and its name at the time), or the service
 * itself (start-up work such as re-sealing passwords, anything not caused by an HTTP request).
 */
export type ApiActor = { kind: 'admin' } | { kind: 'token'; id: string; name: string };
export type ChangeActor = ApiActor | { kind: 'system' };
