import { Module } from '@nestjs/common';
import { HandoffService } from './handoff.service.js';
import { ReplyHandoffController } from './reply-handoff.controller.js';

/** reply.handoff from the ai-responder → the ticket goes to a human. */
@Module({ controllers: [ReplyHandoffController], providers: [HandoffService] })
export class HandoffModule {}
