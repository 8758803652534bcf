import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DEFAULT_AUTH_FAILURES_BEFORE_PAUSE } from '@ensoras/contracts';
import { OptionalAdminTokenSetting, ServiceEnvironment } from '@ensoras/runtime';
import { PreviousSecretsKeySetting, SecretsKeySetting } from '@ensoras/secrets';

export class MailIngestEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3004;

  /** Opens the sealed IMAP passwords of the channel settings. Unset in development: the key generated into DATA_DIR. */
  @SecretsKeySetting() SECRETS_KEY?: string;
  /** During a key rotation: the key before, which still opens what channel-config has not re-sealed yet. */
  @PreviousSecretsKeySetting() SECRETS_KEY_PREVIOUS?: string;

  /** Guards the quarantine API; when unset that API does not exist (404). mail-ingest has no other admin API. */
  @OptionalAdminTokenSetting() ADMIN_TOKEN?: string;

  /** How often a mailbox on a server without IMAP IDLE is checked for new mail. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) POLL_INTERVAL_MS: number = 5_000;

  /** Longest one mail may take to parse; a mail that takes longer is quarantined with reason parse_timeout. */
  @Type(() => Number) @IsInt() @Min(1) @Max(600_000) PARSE_TIMEOUT_MS: number = 10_000;

  /** Worker threads that parse mail (each parse runs off the event loop, so /health and the other mailboxes go on). */
  @Type(() => Number) @IsInt() @Min(1) @Max(64) PARSE_THREADS: number = 2;

  /**
   * Consecutive failed logins on the credentials (wrong or revoked password or grant) after which a mailbox stops
   * trying until its settings get a new revision; providers lock accounts that keep failing. Other connection
   * failures keep retrying with back-off.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) AUTH_FAILURES_BEFORE_PAUSE: number = DEFAULT_AUTH_FAILURES_BEFORE_PAUSE;
}
