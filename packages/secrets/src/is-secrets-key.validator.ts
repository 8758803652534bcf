import { ValidateBy, ValidateIf } from 'class-validator';
import { decodeKey } from './secrets-key.js';

const KEY_FORMAT = '32 bytes, as base64 or 64 hex digits (e.g. `openssl rand -base64 32`)';

/** For environment classes: accepts exactly what SecretBox accepts. The message never echoes the value. */
export function IsSecretsKey(name = 'SECRETS_KEY') {
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
      defaultMessage: (arguments_) =>
        arguments_?.value === undefined || arguments_.value === ''
          ? `${name} is required when NODE_ENV=production (${KEY_FORMAT})`
          : `${name} must be ${KEY_FORMAT}`,
    },
  });
}

const isProduction = (environment: object): boolean => (environment as { NODE_ENV?: unknown }).NODE_ENV === 'production';
const isSet = (value: unknown): boolean => value !== undefined && value !== '';

/**
 * SECRETS_KEY of an environment class: required when NODE_ENV=production (the service exits naming it), optional
 * elsewhere (the development key file). The environment object carries every variable, NODE_ENV included.
 */
export function SecretsKeySetting(): PropertyDecorator {
  return (target, property) => {
    ValidateIf((environment: object, value: unknown) => isSet(value) || isProduction(environment))(target, property);
    IsSecretsKey('SECRETS_KEY')(target, property as string);
  };
}

/** SECRETS_KEY_PREVIOUS: optional; the key being rotated out, which only opens (see README, "Rotating SECRETS_KEY"). */
export function PreviousSecretsKeySetting(): PropertyDecorator {
  return (target, property) => {
    ValidateIf((_environment: object, value: unknown) => isSet(value))(target, property);
    IsSecretsKey('SECRETS_KEY_PREVIOUS')(target, property as string);
  };
}
