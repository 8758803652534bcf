import { Body, ConflictException, Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TicketView } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { HandoffDto } from './handoff.dto.js';
import { TicketStatusService, type StatusChangeOutcome } from './ticket-status.service.js';

/**
 * What an agent does with a ticket's status: take it from the AI, give it back, close it. inbox:write, as the rest
 * of the inbox API's changes. Each answers the ticket as it is afterwards; 404 for an unknown ticket, 409 where the change makes
 * no sense (ticketTransition says why).
 */
@ApiTags('Inbox')
@Controller('v1/projects/:projectId/tickets/:ticketId')
export class TicketActionsController {
  constructor(private readonly status: TicketStatusService) {}

  /** → needs_human, with the reason; the AI stops answering the ticket. */
  @Post('handoff')
  @RequireScope('inbox:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the ticket from the AI (→ needs_human), saying why' })
  @ApiOkResponse({ description: 'The ticket afterwards' })
  @ApiBadRequestResponse({ description: 'The reason is missing, blank or too long' })
  @ApiNotFoundResponse({ description: 'No such ticket in the project' })
  @ApiConflictResponse({ description: 'The change makes no sense in the ticket\'s status (the message says why)' })
  async handOff(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('ticketId') ticketId: string,
    @Body() body: HandoffDto,
  ): Promise<TicketView> {
    return viewOf(await this.status.handOff(projectId, ticketId, 'agent', body.reason), ticketId);
  }

  /** needs_human → open: the AI may answer the ticket again. */
  @Post('resume-ai')
  @RequireScope('inbox:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the ticket back to the AI (needs_human → open)' })
  @ApiOkResponse({ description: 'The ticket afterwards' })
  @ApiNotFoundResponse({ description: 'No such ticket in the project' })
  @ApiConflictResponse({ description: 'The change makes no sense in the ticket\'s status (the message says why)' })
  async resumeAi(@Param('projectId', ProjectIdPipe) projectId: string, @Param('ticketId') ticketId: string): Promise<TicketView> {
    return viewOf(await this.status.resumeAi(projectId, ticketId), ticketId);
  }

  /** → closed; a new customer mail reopens it. */
  @Post('close')
  @RequireScope('inbox:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the ticket; a new customer mail reopens it' })
  @ApiOkResponse({ description: 'The ticket afterwards' })
  @ApiNotFoundResponse({ description: 'No such ticket in the project' })
  @ApiConflictResponse({ description: 'The change makes no sense in the ticket\'s status (the message says why)' })
  async close(@Param('projectId', ProjectIdPipe) projectId: string, @Param('ticketId') ticketId: string): Promise<TicketView> {
    return viewOf(await this.status.close(projectId, ticketId), ticketId);
  }
}

function viewOf(result: StatusChangeOutcome, ticketId: string): TicketView {
  switch (result.outcome) {
    case 'changed':
    case 'unchanged':
      return result.ticket;
    case 'unknown-ticket':
      throw new NotFoundException(`Ticket ${ticketId} not found`);
    case 'refused':
      throw new ConflictException(`Ticket ${ticketId}: ${result.reason}`);
  }
}
