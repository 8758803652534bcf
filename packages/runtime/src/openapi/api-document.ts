import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROJECT_ID_PATTERN } from '@ensoras/contracts';

/** Name of the bearer scheme that @RequireScope, @AdminOnly and @AnyToken routes name as their security. */
export const BEARER_SCHEME = 'bearer';

const DESCRIPTION = [
  'Every route needs `Authorization: Bearer <token>`, except the probes (`/health…`), `/metrics` and the OAuth callback.',
  'The token is the deployment\'s ADMIN_TOKEN, which may do everything, or an API token (`POST /v1/tokens` on',
  'channel-config) with the scope a route names, for the project in its path. Scoped tokens are rate limited (429).',
  'A 400 lists each bad field by its path (`message: ["imap.port: …"]`); unknown fields are refused.',
].join(' ');

/**
 * The OpenAPI document of a service, from its controllers and DTOs. Keys are sorted at every level so that the
 * text is the same on every run and machine (docs/openapi/<service>.json is compared with it by a test).
 */
export function apiDocumentOf(app: INestApplication, service: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(`Ensoras ${service}`)
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN or an API token' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const operation of operationsOf(document)) {
    describeProjectId(operation);
    onceEachSecurity(operation);
  }
  return withSortedKeys(document);
}

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.values(document.paths).flatMap((path) => [path.get, path.put, path.post, path.patch, path.delete].filter((operation) => operation !== undefined));
}

/**
 * Every `:projectId` goes through ProjectIdPipe: said here once rather than on each route, the pattern and the 400
 * for a bad one (routes that describe their own 400 keep it).
 */
function describeProjectId(operation: Operation): void {
  const parameter = operation.parameters?.find((candidate) => 'in' in candidate && candidate.in === 'path' && candidate.name === 'projectId');
  if (!parameter || !('in' in parameter)) return;
  parameter.schema = { type: 'string', pattern: PROJECT_ID_PATTERN.source };
  parameter.description = 'The project: 1 to 64 letters, digits, "-" or "_"';
  operation.responses['400'] ??= { description: 'A bad projectId (or another field, named in `message`)' };
}

/** A handler's own access rule on a controller with one names the bearer scheme twice (class and method). */
function onceEachSecurity(operation: Operation): void {
  if (!operation.security) return;
  const seen = new Set<string>();
  operation.security = operation.security.filter((requirement) => {
    const key = JSON.stringify(requirement);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** The document as kept in docs/openapi/: two-space JSON with a final newline. */
export function apiDocumentText(document: OpenAPIObject): string {
  return `${JSON.stringify(withSortedKeys(document), null, 2)}\n`;
}

/** Object keys in code-point order, arrays as they are (their order means something: enums, parameters, required). */
function withSortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withSortedKeys(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, item]) => [key, withSortedKeys(item)]);
  return Object.fromEntries(entries) as T;
}
