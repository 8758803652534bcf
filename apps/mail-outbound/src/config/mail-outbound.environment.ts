import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DEFAULT_AUTH_FAILURES_BEFORE_PAUSE } from '@ensoras/contracts';
import { OptionalAdminTokenSetting, ServiceEnvironment } from '@ensoras/runtime';
import { PreviousSecretsKeySetting, SecretsKeySetting } from '@ensoras/secrets';

export class MailOutboundEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3005;

  /**
   * Opens the SMTP passwords channel-config sealed into the channel-settings bucket (32 bytes, base64 or hex).
   * Unset in development: the key generated into DATA_DIR/secrets.key, shared with the other services.
   */
  @SecretsKeySetting() SECRETS_KEY?: string;
  /** During a key rotation: the key before, which still opens what channel-config has not re-sealed yet. */
  @PreviousSecretsKeySetting() SECRETS_KEY_PREVIOUS?: string;

  /** Guards the admin routes of parked outbox rows and dead letters; when unset they do not exist (404). */
  @OptionalAdminTokenSetting() ADMIN_TOKEN?: string;

  /**
   * Consecutive rejected SMTP logins of a project (wrong or revoked password or grant) after which its sending
   * pauses until its settings get a new revision: replies are held, not failed, and sent once it resumes.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) AUTH_FAILURES_BEFORE_PAUSE: number = DEFAULT_AUTH_FAILURES_BEFORE_PAUSE;
}
