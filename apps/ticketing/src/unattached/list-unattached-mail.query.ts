import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAIL_KINDS, type MailKind } from '@ensoras/contracts';

export const DEFAULT_UNATTACHED_PAGE_SIZE = 25;
export const MAX_UNATTACHED_PAGE_SIZE = 100;

/** `GET /v1/projects/:projectId/unattached-mail?limit=&cursor=&kind=` */
export class ListUnattachedMailQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_UNATTACHED_PAGE_SIZE, default: DEFAULT_UNATTACHED_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_UNATTACHED_PAGE_SIZE) limit?: number;
  /** nextCursor of the previous page. */
  @ApiPropertyOptional({ maxLength: 200, description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @ApiPropertyOptional({ enum: MAIL_KINDS }) @IsOptional() @IsIn(MAIL_KINDS) kind?: MailKind;
}
