import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AdminApiEnvironment } from '@ensoras/runtime';
import { IsSecretsKey } from '@ensoras/secrets';

export class ChannelConfigEnvironment extends AdminApiEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3001;

  /** Seals channel passwords at rest and in the channel-settings bucket. Unset in development: a key in DATA_DIR. */
  @IsOptional() @IsSecretsKey() SECRETS_KEY?: string;

  /** Upper bound of each side (IMAP, SMTP) of Test Connection. */
  @Type(() => Number) @IsInt() @Min(100) @Max(120_000) TEST_CONNECTION_TIMEOUT_MS: number = 10_000;
}
