import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AdminApiEnvironment } from '@ensoras/runtime';
import { PreviousSecretsKeySetting, SecretsKeySetting } from '@ensoras/secrets';

export class ChannelConfigEnvironment extends AdminApiEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3001;

  /** Seals channel passwords at rest and in the channel-settings bucket. Required in production; unset in development: a key in DATA_DIR. */
  @SecretsKeySetting() SECRETS_KEY?: string;

  /** During a rotation: the key before. It only opens; everything it sealed is re-sealed with SECRETS_KEY at start. */
  @PreviousSecretsKeySetting() SECRETS_KEY_PREVIOUS?: string;

  /** Upper bound of each side (IMAP, SMTP) of Test Connection. */
  @Type(() => Number) @IsInt() @Min(100) @Max(120_000) TEST_CONNECTION_TIMEOUT_MS: number = 10_000;
}
