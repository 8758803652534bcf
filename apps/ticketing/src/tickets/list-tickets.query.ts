import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TICKET_STATUSES, type TicketStatus } from '@ensoras/contracts';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `GET /v1/projects/:projectId/tickets?limit=&cursor=&status=` */
export class ListTicketsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
  /** nextCursor of the previous page. */
  @ApiPropertyOptional({ maxLength: 200, description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  /**
   * Only tickets in one of these statuses: `status=needs_human`, `status=open,needs_human` (or the parameter
   * repeated). An unknown value is a 400 naming `status`.
   */
  @ApiPropertyOptional({
    enum: TICKET_STATUSES,
    isArray: true,
    description: 'Only tickets in these statuses: `status=open,needs_human` (or the parameter repeated)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => statusList(value))
  @IsIn(TICKET_STATUSES, { each: true })
  status?: TicketStatus[];
}

/** Comma-separated values, of one parameter or several, each once and in the order given. */
function statusList(value: unknown): unknown {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).flatMap((part: unknown) => (typeof part === 'string' ? part.split(',') : [part]));
  return [...new Set(values.map((part) => (typeof part === 'string' ? part.trim() : part)))];
}
