import { Module } from '@nestjs/common';
import { AgentReplyController } from './agent-reply.controller.js';
import { DraftsController } from './drafts.controller.js';
import { DraftsService } from './drafts.service.js';
import { OutgoingReplyService } from './outgoing-reply.service.js';
import { ReplyProposedController } from './reply-proposed.controller.js';

/** Outgoing replies (AI-proposed, agent-written, AI drafts an agent sends), recorded before mail-outbound sends them. */
@Module({ controllers: [ReplyProposedController, AgentReplyController, DraftsController], providers: [OutgoingReplyService, DraftsService], exports: [OutgoingReplyService] })
export class RepliesModule {}
