import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import {
  AI_MODES,
  DEFAULT_AI_MODE,
  DEFAULT_IMPORT_DAYS,
  IMAP_ENCRYPTIONS,
  MAX_HANDOFF_TEXT_LENGTH,
  MAX_RESPONSE_DELAY_SECONDS,
  plainTextProblem,
  SMTP_ENCRYPTIONS,
} from './channel-settings.js';
import type { AiMode, ImapEncryption, SmtpEncryption } from './channel-settings.js';
import { MailAuthDto } from './oauth-dto.js';

// What the API description (OpenAPI, @ApiProperty) says of fields that several DTOs share.
const PASSWORD = 'Write-only. Left out: the stored one stays (PUT needs one when none is stored and auth is password)';
const AUTH = 'Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept';
const PLAIN_TEXT = 'Plain text: a visible character, no HTML tags, no control characters but line breaks and tabs';

/** maxSeconds must not be below minSeconds of the same object. */
function NotBelow(property: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notBelow',
      target: target.constructor,
      propertyName,
      constraints: [property],
      options: { message: `${propertyName} must not be smaller than ${property}` },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[property];
          return typeof value !== 'number' || typeof other !== 'number' || value >= other;
        },
      },
    });
}

/** Text sent to customers as it is: a visible character, no HTML tags, no control characters but line breaks and tabs. */
function IsPlainText() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPlainText',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown) {
          return typeof value !== 'string' || plainTextProblem(value) === null;
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property} ${plainTextProblem(String(args.value)) ?? 'must be plain text'}`;
        },
      },
    });
}

export class ImapSettingsDto {
  @ApiProperty({ maxLength: 255, example: 'imap.example.com' }) @IsString() @IsNotEmpty() @MaxLength(255) host!: string;
  @ApiProperty({ minimum: 1, maximum: 65535, example: 993 }) @IsInt() @Min(1) @Max(65535) port!: number;
  @ApiProperty({ enum: IMAP_ENCRYPTIONS, example: 'tls' }) @IsIn(IMAP_ENCRYPTIONS) encryption!: ImapEncryption;
  @ApiProperty({ maxLength: 320 }) @IsString() @IsNotEmpty() @MaxLength(320) username!: string;
  @ApiPropertyOptional({ maxLength: 1024, format: 'password', description: PASSWORD }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() validateCertificate?: boolean;
  @ApiPropertyOptional({ description: 'Mark imported mail as read in the mailbox' }) @IsOptional() @IsBoolean() markAsRead?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @ApiPropertyOptional({ type: () => MailAuthDto, description: AUTH }) @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class SmtpSettingsDto {
  @ApiProperty({ maxLength: 255, example: 'smtp.example.com' }) @IsString() @IsNotEmpty() @MaxLength(255) host!: string;
  @ApiProperty({ minimum: 1, maximum: 65535, example: 587 }) @IsInt() @Min(1) @Max(65535) port!: number;
  @ApiProperty({ enum: SMTP_ENCRYPTIONS, example: 'tls' }) @IsIn(SMTP_ENCRYPTIONS) encryption!: SmtpEncryption;
  @ApiProperty({ maxLength: 320 }) @IsString() @IsNotEmpty() @MaxLength(320) username!: string;
  @ApiPropertyOptional({ maxLength: 1024, format: 'password', description: PASSWORD }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() validateCertificate?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @ApiPropertyOptional({ type: () => MailAuthDto, description: AUTH }) @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class EmailIdentityDto {
  @ApiProperty({ format: 'email', example: 'support@example.com' }) @IsEmail({ require_tld: false }) fromEmail!: string;
  @ApiProperty({ maxLength: 200, example: 'Example Support' }) @IsString() @IsNotEmpty() @MaxLength(200) fromName!: string;
  @ApiPropertyOptional({ maxLength: 20_000 }) @IsOptional() @IsString() @MaxLength(20_000) signatureHtml?: string;
}

export class ResponseDelayDto {
  @ApiProperty({ minimum: 0, maximum: MAX_RESPONSE_DELAY_SECONDS }) @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) minSeconds!: number;
  @ApiProperty({ minimum: 0, maximum: MAX_RESPONSE_DELAY_SECONDS, description: 'Not below minSeconds' }) @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) @NotBelow('minSeconds') maxSeconds!: number;
}

export class ChannelSafetyDto {
  @ApiProperty({ minimum: 1, maximum: 100 }) @IsInt() @Min(1) @Max(100) maxMessageSizeMb!: number;
  @ApiProperty({ minimum: 1, maximum: 100 }) @IsInt() @Min(1) @Max(100) maxAiRepliesPerTicket!: number;
  @ApiProperty({ minimum: 1, maximum: 1_000 }) @IsInt() @Min(1) @Max(1_000) maxAiRepliesPerAddress!: number;
  @ApiProperty({ minimum: 1, maximum: 10_080 }) @IsInt() @Min(1) @Max(10_080) loopWindowMinutes!: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100_000 }) @IsOptional() @IsInt() @Min(1) @Max(100_000) maxAiRepliesPerHour?: number;
}

export class PatchChannelSafetyDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100 }) @IsOptional() @IsInt() @Min(1) @Max(100) maxMessageSizeMb?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100 }) @IsOptional() @IsInt() @Min(1) @Max(100) maxAiRepliesPerTicket?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000 }) @IsOptional() @IsInt() @Min(1) @Max(1_000) maxAiRepliesPerAddress?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 10_080 }) @IsOptional() @IsInt() @Min(1) @Max(10_080) loopWindowMinutes?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100_000 }) @IsOptional() @IsInt() @Min(1) @Max(100_000) maxAiRepliesPerHour?: number;
}

/** `since`: an ISO 8601 date or date-time, or null for the whole mailbox. A date in the future imports no history. */
export class ImportSettingsDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-11-17',
    description: 'History is imported from this ISO 8601 date or date-time on; null: the whole mailbox',
  })
  @ValidateIf((_object, value) => value !== null)
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'since must be an ISO 8601 date (2026-11-17 or 2026-11-17T00:00:00Z) or null' })
  since!: string | null;
}

/** PUT takes the block whole, like `safety`: both fields (the default text is in DEFAULT_HANDOFF_TEXT). */
export class HandoffSettingsDto {
  @ApiProperty({ description: 'Send the customer the text when a ticket is handed to a human' }) @IsBoolean() acknowledge!: boolean;
  @ApiProperty({ maxLength: MAX_HANDOFF_TEXT_LENGTH, description: PLAIN_TEXT }) @IsString() @MaxLength(MAX_HANDOFF_TEXT_LENGTH) @IsPlainText() text!: string;
}

export class PatchHandoffSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() acknowledge?: boolean;
  @ApiPropertyOptional({ maxLength: MAX_HANDOFF_TEXT_LENGTH, description: PLAIN_TEXT }) @IsOptional() @IsString() @MaxLength(MAX_HANDOFF_TEXT_LENGTH) @IsPlainText() text?: string;
}

/** `append`: whether sent replies are copied to the mailbox's Sent folder (the default, DEFAULT_SENT_FOLDER). */
export class SentFolderSettingsDto {
  @ApiProperty({ description: 'Copy sent replies to the mailbox\'s Sent folder' }) @IsBoolean() append!: boolean;
}

export class PatchSentFolderSettingsDto {
  @ApiPropertyOptional({ description: 'Copy sent replies to the mailbox\'s Sent folder' }) @IsOptional() @IsBoolean() append?: boolean;
}

/** PUT: the whole channel. Passwords may be left out only when one is already stored. */
export class PutEmailChannelDto {
  @ApiProperty({ type: () => ImapSettingsDto }) @ValidateNested() @Type(() => ImapSettingsDto) imap!: ImapSettingsDto;
  @ApiProperty({ type: () => SmtpSettingsDto }) @ValidateNested() @Type(() => SmtpSettingsDto) smtp!: SmtpSettingsDto;
  @ApiProperty({ type: () => EmailIdentityDto }) @ValidateNested() @Type(() => EmailIdentityDto) identity!: EmailIdentityDto;
  @ApiPropertyOptional({ maxLength: 10_000, description: 'Instructions for the AI\'s replies' }) @IsOptional() @IsString() @MaxLength(10_000) guidelines?: string;
  @ApiPropertyOptional({ type: () => ResponseDelayDto }) @IsOptional() @ValidateNested() @Type(() => ResponseDelayDto) responseDelay?: ResponseDelayDto;
  @ApiPropertyOptional({ type: () => ChannelSafetyDto }) @IsOptional() @ValidateNested() @Type(() => ChannelSafetyDto) safety?: ChannelSafetyDto;
  /** Left out: the stored choice stays, or for a new channel the last DEFAULT_IMPORT_DAYS days. */
  @ApiPropertyOptional({ type: () => ImportSettingsDto, description: `Left out: the stored choice, or for a new channel the last ${DEFAULT_IMPORT_DAYS} days` })
  @IsOptional() @ValidateNested() @Type(() => ImportSettingsDto) import?: ImportSettingsDto;
  /** Left out: `auto` (DEFAULT_AI_MODE). */
  @ApiPropertyOptional({ enum: AI_MODES, default: DEFAULT_AI_MODE }) @IsOptional() @IsIn(AI_MODES) aiMode?: AiMode;
  /** Left out: DEFAULT_HANDOFF (no acknowledgement). */
  @ApiPropertyOptional({ type: () => HandoffSettingsDto, description: 'Left out: no acknowledgement' })
  @IsOptional() @ValidateNested() @Type(() => HandoffSettingsDto) handoff?: HandoffSettingsDto;
  /** Left out: DEFAULT_SENT_FOLDER (replies are appended to Sent). */
  @ApiPropertyOptional({ type: () => SentFolderSettingsDto, description: 'Left out: replies are appended to Sent' })
  @IsOptional() @ValidateNested() @Type(() => SentFolderSettingsDto) sentFolder?: SentFolderSettingsDto;
}

export class PatchImapSettingsDto {
  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(255) host?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 65535 }) @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  @ApiPropertyOptional({ enum: IMAP_ENCRYPTIONS }) @IsOptional() @IsIn(IMAP_ENCRYPTIONS) encryption?: ImapEncryption;
  @ApiPropertyOptional({ maxLength: 320 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(320) username?: string;
  @ApiPropertyOptional({ maxLength: 1024, format: 'password', description: 'Left out: the stored one stays' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() validateCertificate?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() markAsRead?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @ApiPropertyOptional({ type: () => MailAuthDto, description: AUTH }) @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class PatchSmtpSettingsDto {
  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(255) host?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 65535 }) @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  @ApiPropertyOptional({ enum: SMTP_ENCRYPTIONS }) @IsOptional() @IsIn(SMTP_ENCRYPTIONS) encryption?: SmtpEncryption;
  @ApiPropertyOptional({ maxLength: 320 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(320) username?: string;
  @ApiPropertyOptional({ maxLength: 1024, format: 'password', description: 'Left out: the stored one stays' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() validateCertificate?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @ApiPropertyOptional({ type: () => MailAuthDto, description: AUTH }) @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class PatchEmailIdentityDto {
  @ApiPropertyOptional({ format: 'email' }) @IsOptional() @IsEmail({ require_tld: false }) fromEmail?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) fromName?: string;
  @ApiPropertyOptional({ maxLength: 20_000 }) @IsOptional() @IsString() @MaxLength(20_000) signatureHtml?: string;
}

/** PATCH of the delay: either bound alone; min ≤ max is checked again once merged with the stored bounds. */
export class PatchResponseDelayDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_RESPONSE_DELAY_SECONDS }) @IsOptional() @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) minSeconds?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_RESPONSE_DELAY_SECONDS, description: 'Not below minSeconds (the stored one when left out)' })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) @NotBelow('minSeconds') maxSeconds?: number;
}

/** PATCH: any subset; a setting left out keeps its stored value, passwords included. */
export class PatchEmailChannelDto {
  @ApiPropertyOptional({ type: () => PatchImapSettingsDto }) @IsOptional() @ValidateNested() @Type(() => PatchImapSettingsDto) imap?: PatchImapSettingsDto;
  @ApiPropertyOptional({ type: () => PatchSmtpSettingsDto }) @IsOptional() @ValidateNested() @Type(() => PatchSmtpSettingsDto) smtp?: PatchSmtpSettingsDto;
  @ApiPropertyOptional({ type: () => PatchEmailIdentityDto }) @IsOptional() @ValidateNested() @Type(() => PatchEmailIdentityDto) identity?: PatchEmailIdentityDto;
  @ApiPropertyOptional({ maxLength: 10_000 }) @IsOptional() @IsString() @MaxLength(10_000) guidelines?: string;
  @ApiPropertyOptional({ type: () => PatchResponseDelayDto }) @IsOptional() @ValidateNested() @Type(() => PatchResponseDelayDto) responseDelay?: PatchResponseDelayDto;
  @ApiPropertyOptional({ type: () => PatchChannelSafetyDto }) @IsOptional() @ValidateNested() @Type(() => PatchChannelSafetyDto) safety?: PatchChannelSafetyDto;
  @ApiPropertyOptional({ type: () => ImportSettingsDto }) @IsOptional() @ValidateNested() @Type(() => ImportSettingsDto) import?: ImportSettingsDto;
  @ApiPropertyOptional({ enum: AI_MODES }) @IsOptional() @IsIn(AI_MODES) aiMode?: AiMode;
  /** Either field alone; the other keeps its stored value. */
  @ApiPropertyOptional({ type: () => PatchHandoffSettingsDto }) @IsOptional() @ValidateNested() @Type(() => PatchHandoffSettingsDto) handoff?: PatchHandoffSettingsDto;
  @ApiPropertyOptional({ type: () => PatchSentFolderSettingsDto }) @IsOptional() @ValidateNested() @Type(() => PatchSentFolderSettingsDto) sentFolder?: PatchSentFolderSettingsDto;
}

export class ProjectConfigurationDto {
  @ApiProperty({ maxLength: 10_000, description: 'How the AI writes for this project (tone, form of address)' }) @IsString() @MaxLength(10_000) communicationStyle!: string;
}
