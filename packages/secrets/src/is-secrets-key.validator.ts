import { ValidateBy } from 'class-validator';
import { decodeKey } from './secrets-key.js';

/** For environment classes: accepts exactly what SecretBox accepts. The message never echoes the value. */
export function IsSecretsKey() {
  return ValidateBy({
    name: 'isSecretsKey',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        try {
          decodeKey(value);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'SECRETS_KEY must be 32 bytes, as base64 or 64 hex digits (e.g. `openssl rand -base64 32`)',
    },
  });
}
