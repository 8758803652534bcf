import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TicketMessageView } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { AgentReplyDto } from './agent-reply.dto.js';
import { OutgoingReplyService } from './outgoing-reply.service.js';

@ApiTags('Inbox')
@Controller('v1/projects/:projectId/tickets/:ticketId/replies')
export class AgentReplyController {
  constructor(private readonly replies: OutgoingReplyService) {}

  /** Records the reply and queues it for sending, exactly as an AI reply; answers the latest customer message. */
  @Post()
  @RequireScope('inbox:write')
  @HttpCode(201)
  @ApiOperation({ summary: "An agent's reply: recorded and queued for sending, answering the latest customer message" })
  @ApiCreatedResponse({ description: 'The recorded message' })
  @ApiBadRequestResponse({ description: 'text is missing, or text or html is too large' })
  @ApiNotFoundResponse({ description: 'No such ticket in the project' })
  @ApiConflictResponse({ description: 'The channel has no identity (fromEmail), or the ticket no customer address to answer' })
  async reply(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('ticketId') ticketId: string,
    @Body() body: AgentReplyDto,
  ): Promise<TicketMessageView> {
    const result = await this.replies.record({
      projectId,
      ticketId,
      responseId: randomUUID(),
      answersMessageIds: [],
      text: body.text,
      html: body.html ?? null,
      author: 'agent',
    });
    switch (result.outcome) {
      case 'recorded':
        return result.message;
      case 'ticket-not-found':
        throw new NotFoundException(`Ticket ${ticketId} not found`);
      case 'not-for-ai':
      case 'drafted':
        // Only the AI's replies are held back (needs_human, closed) or kept as drafts; an agent's never is.
        throw new ConflictException('This reply was not sent');
      case 'no-identity':
        throw new ConflictException('The email channel has no identity (fromEmail) configured; configure it first');
      case 'no-recipient':
        throw new ConflictException('The ticket has no customer message with an address to answer');
      case 'duplicate':
        // A fresh responseId cannot have been recorded before.
        throw new ConflictException('This reply was already recorded');
    }
  }
}
