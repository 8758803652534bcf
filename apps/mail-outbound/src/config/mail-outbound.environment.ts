import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ServiceEnvironment } from '@ensoras/runtime';

export class MailOutboundEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3005;

  /**
   * Opens the SMTP passwords channel-config sealed into the channel-settings bucket (32 bytes, base64 or hex).
   * Unset in development: the key generated into DATA_DIR/secrets.key, shared with the other services.
   */
  @IsOptional() @IsString() @MinLength(1) SECRETS_KEY?: string;
}
