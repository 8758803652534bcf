import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { TicketDetailView, TicketPage } from '@ensoras/contracts';
import { AdminTokenGuard, ProjectIdPipe } from '@ensoras/runtime';
import { DEFAULT_PAGE_SIZE, ListTicketsQuery } from './list-tickets.query.js';
import { TicketInboxService } from './ticket-inbox.service.js';

/** The inbox API: every route needs `Authorization: Bearer <ADMIN_TOKEN>`. */
@Controller('v1/projects/:projectId/tickets')
@UseGuards(AdminTokenGuard)
export class TicketsController {
  constructor(private readonly inbox: TicketInboxService) {}

  @Get()
  list(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: ListTicketsQuery): Promise<TicketPage> {
    return this.inbox.list(projectId, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, status: query.status });
  }

  @Get(':ticketId')
  detail(@Param('projectId', ProjectIdPipe) projectId: string, @Param('ticketId') ticketId: string): Promise<TicketDetailView> {
    return this.inbox.detail(projectId, ticketId);
  }
}
