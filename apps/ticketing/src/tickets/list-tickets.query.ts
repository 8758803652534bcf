import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TICKET_STATUSES, type TicketStatus } from '@ensoras/contracts';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `GET /v1/projects/:projectId/tickets?limit=&cursor=&status=` */
export class ListTicketsQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
  /** nextCursor of the previous page. */
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @IsIn(TICKET_STATUSES) status?: TicketStatus;
}
