import { Module } from '@nestjs/common';
import { ReplyHandoffController } from './reply-handoff.controller.js';
import { TicketActionsController } from './ticket-actions.controller.js';
import { TicketStatusService } from './ticket-status.service.js';

/** The ticket's status by decision: reply.handoff from the ai-responder, and an agent's handoff, resume-ai and close. */
@Module({ controllers: [ReplyHandoffController, TicketActionsController], providers: [TicketStatusService] })
export class HandoffModule {}
