import { accessSync, constants, statSync } from 'node:fs';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, Matches, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import type { NatsSettings } from './nats-settings.js';
import { durationMessage, isStreamMaxAge, REPLICAS_MESSAGE, STREAM_REPLICAS } from './stream-settings.js';

const AUTHENTICATION_VARIABLES = ['NATS_USER', 'NATS_TOKEN', 'NATS_NKEY_SEED', 'NATS_NKEY_SEED_FILE', 'NATS_CREDS_FILE'] as const;

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';
const whenSet = ValidateIf((_environment: object, value: unknown) => isSet(value));
/** `NATS_TOKEN=` in a compose file means unset, not an empty token. */
const emptyIsUnset = Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));

/**
 * The NATS part of every service's environment (the base of ServiceEnvironment). A service with a credential it
 * cannot use exits at start naming the variable; messages never echo a secret.
 */
export class NatsEnvironment implements NatsSettings {
  @Matches(/^(nats|tls|wss?):\/\/[^\s]+$/, { message: 'NATS_URL must be a nats:// URL, e.g. nats://127.0.0.1:4222' })
  NATS_URL!: string;

  @emptyIsUnset @whenSet @OnlyAuthentication('NATS_USER') @Matches(/^\S+$/, { message: 'NATS_USER must not contain spaces' })
  NATS_USER?: string;

  @emptyIsUnset
  @ValidateIf((environment: NatsEnvironment, value: unknown) => isSet(value) || isSet(environment.NATS_USER))
  @IsNotEmpty({ message: 'NATS_PASSWORD is required with NATS_USER' })
  @ValidateBy({ name: 'natsPasswordNeedsUser', validator: { validate: (_value, args) => isSet((args?.object as NatsEnvironment).NATS_USER) } }, { message: 'NATS_PASSWORD needs NATS_USER' })
  NATS_PASSWORD?: string;

  @emptyIsUnset @whenSet @OnlyAuthentication('NATS_TOKEN') NATS_TOKEN?: string;

  @emptyIsUnset
  @whenSet
  @OnlyAuthentication('NATS_NKEY_SEED')
  @Matches(/^SU[A-Z2-7]{56}$/, { message: 'NATS_NKEY_SEED must be an NKey user seed (58 characters starting with SU, from `nsc` or `nk -gen user`)' })
  NATS_NKEY_SEED?: string;

  @emptyIsUnset @whenSet @OnlyAuthentication('NATS_NKEY_SEED_FILE') @IsReadableFile('NATS_NKEY_SEED_FILE') NATS_NKEY_SEED_FILE?: string;

  @emptyIsUnset @whenSet @OnlyAuthentication('NATS_CREDS_FILE') @IsReadableFile('NATS_CREDS_FILE') NATS_CREDS_FILE?: string;

  @emptyIsUnset @whenSet @IsReadableFile('NATS_TLS_CA_FILE') NATS_TLS_CA_FILE?: string;

  @emptyIsUnset
  @ValidateIf((environment: NatsEnvironment, value: unknown) => isSet(value) || isSet(environment.NATS_TLS_KEY_FILE))
  @IsNotEmpty({ message: 'NATS_TLS_CERT_FILE is required with NATS_TLS_KEY_FILE' })
  @IsReadableFile('NATS_TLS_CERT_FILE')
  NATS_TLS_CERT_FILE?: string;

  @emptyIsUnset
  @ValidateIf((environment: NatsEnvironment, value: unknown) => isSet(value) || isSet(environment.NATS_TLS_CERT_FILE))
  @IsNotEmpty({ message: 'NATS_TLS_KEY_FILE is required with NATS_TLS_CERT_FILE' })
  @IsReadableFile('NATS_TLS_KEY_FILE')
  NATS_TLS_KEY_FILE?: string;

  @emptyIsUnset
  @whenSet
  @Matches(/^[^\s*>]+$/, { message: 'NATS_INBOX_PREFIX must be a subject without spaces or wildcards, e.g. _INBOX.ticketing' })
  NATS_INBOX_PREFIX?: string;

  @emptyIsUnset @whenSet @ValidateBy({ name: 'streamMaxAge', validator: { validate: isStreamMaxAge } }, { message: durationMessage('NATS_STREAM_MAX_AGE') })
  NATS_STREAM_MAX_AGE?: string;

  @emptyIsUnset
  @whenSet
  @ValidateBy({ name: 'streamMaxAge', validator: { validate: isStreamMaxAge } }, { message: durationMessage('NATS_DEAD_LETTER_MAX_AGE') })
  NATS_DEAD_LETTER_MAX_AGE?: string;

  /** A number from here on; `abc` becomes NaN, which IsIn refuses. */
  @Transform(({ value }: { value: unknown }) => (value === '' || value === undefined || value === null ? undefined : Number(value)))
  @whenSet
  @IsIn([...STREAM_REPLICAS], { message: REPLICAS_MESSAGE })
  NATS_STREAM_REPLICAS?: number;
}

/** One way to authenticate: two of them would leave which one the server sees to the client library. */
function OnlyAuthentication(name: (typeof AUTHENTICATION_VARIABLES)[number]) {
  return ValidateBy(
    {
      name: 'onlyNatsAuthentication',
      validator: {
        validate: (_value, args) => {
          const environment = args?.object as Record<string, unknown>;
          return AUTHENTICATION_VARIABLES.every((other) => other === name || !isSet(environment[other]));
        },
      },
    },
    {
      message: (args) => {
        const environment = args.object as Record<string, unknown>;
        const others = AUTHENTICATION_VARIABLES.filter((other) => other !== name && isSet(environment[other]));
        return `${name} cannot be combined with ${others.join(', ')}: set one way to authenticate to NATS`;
      },
    },
  );
}

/** The path names a regular file this process can read (checked at start, so a wrong mount fails at once). */
function IsReadableFile(name: string, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isReadableFile',
      validator: {
        validate: (value: unknown) => {
          // Whether it is required is said by the other decorators of the variable.
          if (!isSet(value)) return true;
          if (typeof value !== 'string') return false;
          try {
            accessSync(value, constants.R_OK);
            return statSync(value).isFile();
          } catch {
            return false;
          }
        },
        defaultMessage: (args) => `${name} must name a readable file; ${String(args?.value)} does not exist or cannot be read`,
      },
    },
    options,
  );
}
