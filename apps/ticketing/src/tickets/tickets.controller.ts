import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TicketDetailView, TicketPage } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { DEFAULT_PAGE_SIZE, ListTicketsQuery } from './list-tickets.query.js';
import { TicketInboxService } from './ticket-inbox.service.js';

/** The inbox API: the ADMIN_TOKEN or an API token with inbox:read for the project. */
@ApiTags('Inbox')
@Controller('v1/projects/:projectId/tickets')
export class TicketsController {
  constructor(private readonly inbox: TicketInboxService) {}

  @Get()
  @RequireScope('inbox:read')
  @ApiOperation({ summary: "The project's tickets, newest activity first, a page at a time" })
  @ApiOkResponse({ description: '`{ items, nextCursor }`' })
  @ApiBadRequestResponse({ description: 'A bad limit, cursor or status' })
  list(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: ListTicketsQuery): Promise<TicketPage> {
    return this.inbox.list(projectId, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, status: query.status });
  }

  @Get(':ticketId')
  @RequireScope('inbox:read')
  @ApiOperation({ summary: 'A ticket with its messages' })
  @ApiOkResponse({ description: 'The ticket' })
  @ApiNotFoundResponse({ description: 'No such ticket in the project' })
  detail(@Param('projectId', ProjectIdPipe) projectId: string, @Param('ticketId') ticketId: string): Promise<TicketDetailView> {
    return this.inbox.detail(projectId, ticketId);
  }
}
