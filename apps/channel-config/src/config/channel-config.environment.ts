import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { AdminApiEnvironment } from '@ensoras/runtime';
import { decodeKey } from '@ensoras/secrets';

/** Accepts exactly what the SecretBox accepts: 32 bytes as base64 or as 64 hex digits. */
function IsSecretsKey() {
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
      // Never echo the value: it is the key.
      defaultMessage: () => 'SECRETS_KEY must be 32 bytes, as base64 or 64 hex digits (e.g. `openssl rand -base64 32`)',
    },
  });
}

export class ChannelConfigEnvironment extends AdminApiEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3001;

  /** Seals channel passwords at rest and in the channel-settings bucket. Unset in development: a key in DATA_DIR. */
  @IsOptional() @IsSecretsKey() SECRETS_KEY?: string;

  /** Upper bound of each side (IMAP, SMTP) of Test Connection. */
  @Type(() => Number) @IsInt() @Min(100) @Max(120_000) TEST_CONNECTION_TIMEOUT_MS: number = 10_000;
}
