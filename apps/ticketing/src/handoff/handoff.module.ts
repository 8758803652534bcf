import { Module } from '@nestjs/common';
import { RepliesModule } from '../replies/replies.module.js';
import { ReplyHandoffController } from './reply-handoff.controller.js';
import { TicketActionsController } from './ticket-actions.controller.js';
import { TicketStatusService } from './ticket-status.service.js';

/** The ticket's status by decision: reply.handoff from the ai-responder, and an agent's handoff, resume-ai and close. */
@Module({ imports: [RepliesModule], controllers: [ReplyHandoffController, TicketActionsController], providers: [TicketStatusService] })
export class HandoffModule {}
