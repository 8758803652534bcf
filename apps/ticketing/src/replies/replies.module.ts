import { Module } from '@nestjs/common';
import { AgentReplyController } from './agent-reply.controller.js';
import { OutgoingReplyService } from './outgoing-reply.service.js';
import { ReplyProposedController } from './reply-proposed.controller.js';

/** Outgoing replies (AI-proposed and agent-written), recorded before mail-outbound sends them. */
@Module({ controllers: [ReplyProposedController, AgentReplyController], providers: [OutgoingReplyService] })
export class RepliesModule {}
