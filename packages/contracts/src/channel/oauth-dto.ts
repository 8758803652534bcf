import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength, registerDecorator, type ValidationArguments } from 'class-validator';
import { MAIL_AUTH_TYPES, OAUTH_PROVIDERS, type OAuthProvider } from './mail-auth.js';

/** `provider` is required with type oauth2 and refused with type password (where it would mean nothing). */
function ProviderFitsType() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'providerFitsType',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const type = (args.object as { type?: unknown }).type;
          if (type === 'oauth2') return typeof value === 'string' && (OAUTH_PROVIDERS as readonly string[]).includes(value);
          return value === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          return (args.object as { type?: unknown }).type === 'oauth2'
            ? `${args.property} must be one of the following values: ${OAUTH_PROVIDERS.join(', ')}`
            : `${args.property} is only given with type oauth2`;
        },
      },
    });
}

/** `imap.auth` / `smtp.auth`: `{ type: 'password' }` or `{ type: 'oauth2', provider: 'google' | 'microsoft' }`. */
export class MailAuthDto {
  @ApiProperty({ enum: MAIL_AUTH_TYPES }) @IsIn(MAIL_AUTH_TYPES) type!: 'password' | 'oauth2';
  @ApiPropertyOptional({ enum: OAUTH_PROVIDERS, description: 'Required with type oauth2, refused with type password' }) @ProviderFitsType() provider?: OAuthProvider;
}

/** POST …/channels/email/oauth/start. */
export class StartOAuthDto {
  @ApiProperty({ enum: OAUTH_PROVIDERS }) @IsIn(OAUTH_PROVIDERS) provider!: OAuthProvider;
}

/** PUT …/channels/email/oauth/clients/{provider}: the project's own OAuth client, used instead of the deployment's. */
export class OAuthClientDto {
  @ApiProperty({ maxLength: 512 }) @IsString() @IsNotEmpty() @MaxLength(512) clientId!: string;
  @ApiProperty({ maxLength: 1024, format: 'password', description: 'Write-only: never shown again' }) @IsString() @IsNotEmpty() @MaxLength(1024) clientSecret!: string;
}
