import { eventSchemaOf } from '@ensoras/contracts';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

// One compiler for every schema of the contracts; each validator is compiled on first use and kept (see validatorOf).
const ajv = new Ajv({ allowUnionTypes: true });
const validators = new Map<string, ValidateFunction | null>();

/**
 * What is wrong with an envelope by the JSON Schema of its event type and major version (docs/events), as
 * `<field path>: <problem>`, e.g. `payload.subject: must be string`; null when it is valid, or when the contracts
 * define no such event (a service's own test events).
 */
export function envelopeSchemaProblem(envelope: unknown, type: string, version: number): string | null {
  const validate = validatorOf(type, version);
  if (!validate || validate(envelope)) return null;
  const [first] = validate.errors ?? [];
  return first ? describeSchemaError(first) : 'does not match its schema';
}

function validatorOf(type: string, version: number): ValidateFunction | null {
  const key = `${type}@${version}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const document = eventSchemaOf(type, version);
    validate = document ? ajv.compile(document.schema) : null;
    validators.set(key, validate);
  }
  return validate;
}

/** `/payload/to/0/address` → `payload.to[0].address`, and ajv's message, with what it expected where that helps. */
export function describeSchemaError(error: ErrorObject): string {
  let path = error.instancePath
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((joined, token) => (/^\d+$/.test(token) ? `${joined}[${token}]` : joined ? `${joined}.${token}` : token), '');
  let problem = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    path = path ? `${path}.${String(error.params.missingProperty)}` : String(error.params.missingProperty);
    problem = 'is required';
  } else if (error.keyword === 'enum') {
    problem = `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
  } else if (error.keyword === 'const') {
    problem = `must be ${JSON.stringify(error.params.allowedValue)}`;
  }
  return `${path || 'the envelope'}: ${problem}`;
}
