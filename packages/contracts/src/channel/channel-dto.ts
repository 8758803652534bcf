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
  IMAP_ENCRYPTIONS,
  MAX_HANDOFF_TEXT_LENGTH,
  MAX_RESPONSE_DELAY_SECONDS,
  plainTextProblem,
  SMTP_ENCRYPTIONS,
} from './channel-settings.js';
import type { AiMode, ImapEncryption, SmtpEncryption } from './channel-settings.js';
import { MailAuthDto } from './oauth-dto.js';

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
  @IsString() @IsNotEmpty() @MaxLength(255) host!: string;
  @IsInt() @Min(1) @Max(65535) port!: number;
  @IsIn(IMAP_ENCRYPTIONS) encryption!: ImapEncryption;
  @IsString() @IsNotEmpty() @MaxLength(320) username!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @IsOptional() @IsBoolean() validateCertificate?: boolean;
  @IsOptional() @IsBoolean() markAsRead?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class SmtpSettingsDto {
  @IsString() @IsNotEmpty() @MaxLength(255) host!: string;
  @IsInt() @Min(1) @Max(65535) port!: number;
  @IsIn(SMTP_ENCRYPTIONS) encryption!: SmtpEncryption;
  @IsString() @IsNotEmpty() @MaxLength(320) username!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @IsOptional() @IsBoolean() validateCertificate?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class EmailIdentityDto {
  @IsEmail({ require_tld: false }) fromEmail!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) fromName!: string;
  @IsOptional() @IsString() @MaxLength(20_000) signatureHtml?: string;
}

export class ResponseDelayDto {
  @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) minSeconds!: number;
  @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) @NotBelow('minSeconds') maxSeconds!: number;
}

export class ChannelSafetyDto {
  @IsInt() @Min(1) @Max(100) maxMessageSizeMb!: number;
  @IsInt() @Min(1) @Max(100) maxAiRepliesPerTicket!: number;
  @IsInt() @Min(1) @Max(1_000) maxAiRepliesPerAddress!: number;
  @IsInt() @Min(1) @Max(10_080) loopWindowMinutes!: number;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) maxAiRepliesPerHour?: number;
}

export class PatchChannelSafetyDto {
  @IsOptional() @IsInt() @Min(1) @Max(100) maxMessageSizeMb?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) maxAiRepliesPerTicket?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1_000) maxAiRepliesPerAddress?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_080) loopWindowMinutes?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) maxAiRepliesPerHour?: number;
}

/** `since`: an ISO 8601 date or date-time, or null for the whole mailbox. A date in the future imports no history. */
export class ImportSettingsDto {
  @ValidateIf((_object, value) => value !== null)
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'since must be an ISO 8601 date (2026-11-17 or 2026-11-17T00:00:00Z) or null' })
  since!: string | null;
}

/** PUT takes the block whole, like `safety`: both fields (the default text is in DEFAULT_HANDOFF_TEXT). */
export class HandoffSettingsDto {
  @IsBoolean() acknowledge!: boolean;
  @IsString() @MaxLength(MAX_HANDOFF_TEXT_LENGTH) @IsPlainText() text!: string;
}

export class PatchHandoffSettingsDto {
  @IsOptional() @IsBoolean() acknowledge?: boolean;
  @IsOptional() @IsString() @MaxLength(MAX_HANDOFF_TEXT_LENGTH) @IsPlainText() text?: string;
}

/** `append`: whether sent replies are copied to the mailbox's Sent folder (the default, DEFAULT_SENT_FOLDER). */
export class SentFolderSettingsDto {
  @IsBoolean() append!: boolean;
}

export class PatchSentFolderSettingsDto {
  @IsOptional() @IsBoolean() append?: boolean;
}

/** PUT: the whole channel. Passwords may be left out only when one is already stored. */
export class PutEmailChannelDto {
  @ValidateNested() @Type(() => ImapSettingsDto) imap!: ImapSettingsDto;
  @ValidateNested() @Type(() => SmtpSettingsDto) smtp!: SmtpSettingsDto;
  @ValidateNested() @Type(() => EmailIdentityDto) identity!: EmailIdentityDto;
  @IsOptional() @IsString() @MaxLength(10_000) guidelines?: string;
  @IsOptional() @ValidateNested() @Type(() => ResponseDelayDto) responseDelay?: ResponseDelayDto;
  @IsOptional() @ValidateNested() @Type(() => ChannelSafetyDto) safety?: ChannelSafetyDto;
  /** Left out: the stored choice stays, or for a new channel the last DEFAULT_IMPORT_DAYS days. */
  @IsOptional() @ValidateNested() @Type(() => ImportSettingsDto) import?: ImportSettingsDto;
  /** Left out: `auto` (DEFAULT_AI_MODE). */
  @IsOptional() @IsIn(AI_MODES) aiMode?: AiMode;
  /** Left out: DEFAULT_HANDOFF (no acknowledgement). */
  @IsOptional() @ValidateNested() @Type(() => HandoffSettingsDto) handoff?: HandoffSettingsDto;
  /** Left out: DEFAULT_SENT_FOLDER (replies are appended to Sent). */
  @IsOptional() @ValidateNested() @Type(() => SentFolderSettingsDto) sentFolder?: SentFolderSettingsDto;
}

export class PatchImapSettingsDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(255) host?: string;
  @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  @IsOptional() @IsIn(IMAP_ENCRYPTIONS) encryption?: ImapEncryption;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(320) username?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @IsOptional() @IsBoolean() validateCertificate?: boolean;
  @IsOptional() @IsBoolean() markAsRead?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class PatchSmtpSettingsDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(255) host?: string;
  @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  @IsOptional() @IsIn(SMTP_ENCRYPTIONS) encryption?: SmtpEncryption;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(320) username?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) password?: string;
  @IsOptional() @IsBoolean() validateCertificate?: boolean;
  /** Left out: password (PUT), or the stored choice (PATCH). With oauth2 no password is needed or kept. */
  @IsOptional() @ValidateNested() @Type(() => MailAuthDto) auth?: MailAuthDto;
}

export class PatchEmailIdentityDto {
  @IsOptional() @IsEmail({ require_tld: false }) fromEmail?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) fromName?: string;
  @IsOptional() @IsString() @MaxLength(20_000) signatureHtml?: string;
}

/** PATCH of the delay: either bound alone; min ≤ max is checked again once merged with the stored bounds. */
export class PatchResponseDelayDto {
  @IsOptional() @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) minSeconds?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_RESPONSE_DELAY_SECONDS) @NotBelow('minSeconds') maxSeconds?: number;
}

/** PATCH: any subset; a setting left out keeps its stored value, passwords included. */
export class PatchEmailChannelDto {
  @IsOptional() @ValidateNested() @Type(() => PatchImapSettingsDto) imap?: PatchImapSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => PatchSmtpSettingsDto) smtp?: PatchSmtpSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => PatchEmailIdentityDto) identity?: PatchEmailIdentityDto;
  @IsOptional() @IsString() @MaxLength(10_000) guidelines?: string;
  @IsOptional() @ValidateNested() @Type(() => PatchResponseDelayDto) responseDelay?: PatchResponseDelayDto;
  @IsOptional() @ValidateNested() @Type(() => PatchChannelSafetyDto) safety?: PatchChannelSafetyDto;
  @IsOptional() @ValidateNested() @Type(() => ImportSettingsDto) import?: ImportSettingsDto;
  @IsOptional() @IsIn(AI_MODES) aiMode?: AiMode;
  /** Either field alone; the other keeps its stored value. */
  @IsOptional() @ValidateNested() @Type(() => PatchHandoffSettingsDto) handoff?: PatchHandoffSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => PatchSentFolderSettingsDto) sentFolder?: PatchSentFolderSettingsDto;
}

export class ProjectConfigurationDto {
  @IsString() @MaxLength(10_000) communicationStyle!: string;
}
