/** Field names whose values are secrets wherever they appear in a logged object, in any letter case. */
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

export const REDACTED = '[redacted]';

/**
 * How deep below the logged object a secret field is still found: `{ imap: { auth: { password } } }` is depth 2.
 * Deeper objects are logged as they are; a bound also keeps a cyclic object from being walked forever.
 */
const MAX_DEPTH = 8;

const SECRET_NAMES = new Set(SECRET_FIELDS.map((field) => field.toLowerCase()));

/**
 * `value` with every secret field's value replaced by REDACTED, in plain objects and arrays down to MAX_DEPTH and in
 * the own fields of errors. Copies only what holds a secret and answers `value` itself when nothing does, so an
 * ordinary log line costs a walk over its few fields. Other objects (a request, a buffer) are left to their
 * serializers, which log none of their secrets (see requestSummary).
 *
 * Why not pino's `redact`: a path per field and depth (185 wildcard paths) cost about 90 µs on every line written,
 * 20–30 times the rest of the line; this walk costs a few µs (measured on the logs of a burst).
 */
export function withoutSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const redacted = withoutSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return (copy ?? value) as T;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const redacted = SECRET_NAMES.has(key.toLowerCase()) && field !== undefined ? REDACTED : withoutSecrets(field, depth + 1);
    if (redacted !== field) (copy ??= copyOf(value, isError))[key] = redacted;
  }
  return (copy ?? value) as T;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A copy to redact in; an error stays one of its class, with its message and stack, for pino's error serializer. */
function copyOf(value: object, isError: boolean): Record<string, unknown> {
  if (!isError) return { ...value };
  const error = value as Error;
  return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>, { message: error.message, stack: error.stack }, error);
}
