import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ServiceEnvironment } from '@ensoras/runtime';
import { IsSecretsKey } from '@ensoras/secrets';

export class MailOutboundEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3005;

  /**
   * Opens the SMTP passwords channel-config sealed into the channel-settings bucket (32 bytes, base64 or hex).
   * Unset in development: the key generated into DATA_DIR/secrets.key, shared with the other services.
   */
  @IsOptional() @IsSecretsKey() SECRETS_KEY?: string;
}
