import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AdminApiEnvironment } from '@ensoras/runtime';
import { PreviousSecretsKeySetting, SecretsKeySetting } from '@ensoras/secrets';
import { HostList, OAuthEndpoint, RequiredWith } from './oauth-settings.validators.js';

export class ChannelConfigEnvironment extends AdminApiEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3001;

  /** Seals channel passwords at rest and in the channel-settings bucket. Required in production; unset in development: a key in DATA_DIR. */
  @SecretsKeySetting() SECRETS_KEY?: string;

  /** During a rotation: the key before. It only opens; everything it sealed is re-sealed with SECRETS_KEY at start. */
  @PreviousSecretsKeySetting() SECRETS_KEY_PREVIOUS?: string;

  /** Upper bound of each side (IMAP, SMTP) of Test Connection. */
  @Type(() => Number) @IsInt() @Min(100) @Max(120_000) TEST_CONNECTION_TIMEOUT_MS: number = 10_000;

  // OAuth2 for mailboxes (README, "Connecting a mailbox with OAuth2"). A provider whose client id is unset is not
  // available (409 when asked for), unless a project stores its own client.

  /** The public URL of GET /v1/oauth/callback, registered as redirect URI with each provider. Required with a client id. */
  @RequiredWith(['GOOGLE_OAUTH_CLIENT_ID', 'MICROSOFT_OAUTH_CLIENT_ID']) @OAuthEndpoint() OAUTH_REDIRECT_URL?: string;
  /** Where the callback sends the browser when done (`?oauth=connected|failed&provider=…&project=…`); unset: a small page. */
  @OAuthEndpoint() OAUTH_DONE_URL?: string;
  /** http:// endpoints (a local test provider); never in production. */
  @IsOptional() @Transform(({ value }) => value === true || value === 'true' || value === '1') OAUTH_ALLOW_HTTP_ENDPOINTS: boolean = false;
  /** Access tokens are refreshed when fewer seconds than this are left (and checked every OAUTH_REFRESH_CHECK_MS). */
  @Type(() => Number) @IsInt() @Min(5) @Max(3_000) OAUTH_REFRESH_AHEAD_SECONDS: number = 300;
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000) OAUTH_REFRESH_CHECK_MS: number = 30_000;

  @IsOptional() @IsString() GOOGLE_OAUTH_CLIENT_ID?: string;
  @RequiredWith(['GOOGLE_OAUTH_CLIENT_ID']) GOOGLE_OAUTH_CLIENT_SECRET?: string;
  /** Endpoint overrides (tests); the defaults are Google's. */
  @OAuthEndpoint() GOOGLE_OAUTH_ISSUER?: string;
  @OAuthEndpoint() GOOGLE_OAUTH_AUTHORIZATION_URL?: string;
  @OAuthEndpoint() GOOGLE_OAUTH_TOKEN_URL?: string;
  @OAuthEndpoint() GOOGLE_OAUTH_REVOCATION_URL?: string;
  /** The only IMAP/SMTP hosts a Google-connected direction may log in to (comma-separated); default imap.gmail.com, smtp.gmail.com. */
  @HostList() GOOGLE_OAUTH_MAIL_HOSTS?: string;

  @IsOptional() @IsString() MICROSOFT_OAUTH_CLIENT_ID?: string;
  @RequiredWith(['MICROSOFT_OAUTH_CLIENT_ID']) MICROSOFT_OAUTH_CLIENT_SECRET?: string;
  /** The directory: `common` (work, school and personal accounts), `organizations`, `consumers`, or a tenant id. */
  @Transform(({ value }) => (value === '' || value === undefined ? 'common' : value))
  @Matches(/^[A-Za-z0-9.-]{1,100}$/, { message: 'MICROSOFT_OAUTH_TENANT must be common, organizations, consumers, a tenant id or domain' })
  MICROSOFT_OAUTH_TENANT: string = 'common';
  /** The identity platform's host: https://login.microsoftonline.com, or a national cloud's. */
  @OAuthEndpoint() MICROSOFT_OAUTH_AUTHORITY?: string;
  @OAuthEndpoint() MICROSOFT_OAUTH_ISSUER?: string;
  @OAuthEndpoint() MICROSOFT_OAUTH_AUTHORIZATION_URL?: string;
  @OAuthEndpoint() MICROSOFT_OAUTH_TOKEN_URL?: string;
  /** Default outlook.office365.com, smtp.office365.com, smtp-mail.outlook.com, imap-mail.outlook.com. */
  @HostList() MICROSOFT_OAUTH_MAIL_HOSTS?: string;
}
