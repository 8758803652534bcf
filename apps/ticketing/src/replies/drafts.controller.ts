import { Body, ConflictException, Controller, Delete, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TicketMessageView } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { DraftsService, type DraftOutcome } from './drafts.service.js';
import { SendDraftDto } from './send-draft.dto.js';

/** The AI's drafts (draft mode), sent or discarded by an agent. inbox:write, as the rest of the inbox API's changes. */
@ApiTags('Inbox')
@Controller('v1/projects/:projectId/tickets/:ticketId/drafts/:draftId')
export class DraftsController {
  constructor(private readonly drafts: DraftsService) {}

  /** Sends the draft through the normal outbound path; a body with `text` (and `html`) sends the agent's edit. */
  @Post('send')
  @RequireScope('inbox:write')
  @HttpCode(200)
  @ApiOperation({ summary: "Send the AI's draft (draft mode), as written or with the agent's edit" })
  @ApiOkResponse({ description: 'The message, now queued for sending' })
  @ApiBadRequestResponse({ description: 'html without text, or a field too large' })
  @ApiNotFoundResponse({ description: 'No such ticket, or no such draft on it' })
  @ApiConflictResponse({ description: 'The draft was sent or discarded already' })
  async send(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('ticketId') ticketId: string,
    @Param('draftId') draftId: string,
    @Body() body: SendDraftDto,
  ): Promise<TicketMessageView> {
    const edit = body.text === undefined ? null : { text: body.text, html: body.html ?? null };
    return viewOf(await this.drafts.send(projectId, ticketId, draftId, edit), ticketId, draftId);
  }

  @Delete()
  @RequireScope('inbox:write')
  @HttpCode(200)
  @ApiOperation({ summary: "Discard the AI's draft" })
  @ApiOkResponse({ description: 'The discarded message' })
  @ApiNotFoundResponse({ description: 'No such ticket, or no such draft on it' })
  @ApiConflictResponse({ description: 'The draft was sent or discarded already' })
  async discard(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('ticketId') ticketId: string,
    @Param('draftId') draftId: string,
  ): Promise<TicketMessageView> {
    return viewOf(await this.drafts.discard(projectId, ticketId, draftId), ticketId, draftId);
  }
}

function viewOf(result: DraftOutcome, ticketId: string, draftId: string): TicketMessageView {
  switch (result.outcome) {
    case 'sent':
    case 'discarded':
      return result.message;
    case 'ticket-not-found':
      throw new NotFoundException(`Ticket ${ticketId} not found`);
    case 'draft-not-found':
      throw new NotFoundException(`Draft ${draftId} not found on ticket ${ticketId}`);
    case 'not-a-draft':
      throw new ConflictException(
        result.deliveryStatus === 'discarded' ? `Draft ${draftId} was discarded` : `Draft ${draftId} was sent already (${result.deliveryStatus})`,
      );
  }
}
