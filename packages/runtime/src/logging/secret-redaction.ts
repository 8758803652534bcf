/** Field names whose values are secrets wherever they appear in a logged object (as written, lower case or Capitalised). */
export const SECRET_FIELDS = [
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'apiKey',
  'adminToken',
  'idToken',
  'privateKey',
  'passphrase',
  'set-cookie',
  'x-api-key',
] as const;

/** How deep below the logged object a secret field is still found: `{ imap: { auth: { password } } }` is depth 2. */
const MAX_DEPTH = 4;

/**
 * pino `redact` paths for every secret field at the top and up to MAX_DEPTH objects below it (pino's wildcard
 * matches one level, so each depth is its own path). Request and response headers are left out of the logs
 * altogether (see the serializers); this catches secrets in objects a service logs itself.
 */
export function secretPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  const names = [...new Set(fields.flatMap((field) => [field, field.toLowerCase(), field[0]!.toUpperCase() + field.slice(1)]))];
  const paths: string[] = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const prefix = '*.'.repeat(depth);
    for (const name of names) paths.push(/^[A-Za-z_$][\w$]*$/.test(name) ? `${prefix}${name}` : `${prefix}["${name}"]`);
  }
  return paths;
}
