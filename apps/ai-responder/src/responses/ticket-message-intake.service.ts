import { Injectable, Logger } from '@nestjs/common';
import type { EventEnvelope, TicketMessageCreatedPayload } from '@ensoras/contracts';
import { ChannelSettingsReplica } from '@ensoras/messaging';
import { DataSource } from 'typeorm';
import { ConversationLog } from '../conversation/conversation-log.service.js';
import { decideAnswer } from './answerability.js';
import { ResponseScheduler } from './response-scheduler.service.js';

/**
 * Each ticket message joins the conversation read model; a customer's message also schedules (or joins) the
 * ticket's pending response, in the same transaction, so a redelivered event neither records nor schedules twice.
 */
@Injectable()
export class TicketMessageIntake {
  private readonly logger = new Logger(TicketMessageIntake.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly conversation: ConversationLog,
    private readonly scheduler: ResponseScheduler,
    private readonly channels: ChannelSettingsReplica,
  ) {}

  async receive(envelope: EventEnvelope<TicketMessageCreatedPayload>): Promise<void> {
    const { projectId } = envelope;
    const ticket = envelope.payload?.ticket;
    const message = envelope.payload?.message;
    if (!projectId || !ticket?.id || !message?.id || !message.createdAt) {
      // Permanently malformed: retrying cannot fix it, and it must not block the stream.
      this.logger.error(`Ignoring ticket.message.created ${envelope.id}: ticket or message missing`);
      return;
    }
    await this.channels.whenReady();
    const settings = this.channels.get(projectId);
    const decision = decideAnswer(message, settings);

    const outcome = await this.dataSource.transaction(async (manager) => {
      if (!(await this.conversation.record(manager, projectId, ticket, message))) return 'duplicate' as const;
      if (!decision.answer) return 'recorded' as const;
      return this.scheduler.schedule(manager, {
        projectId,
        ticketId: ticket.id,
        messageIds: [message.id],
        // decideAnswer answers only with settings at hand.
        delay: settings!.responseDelay,
      });
    });

    if (outcome === 'duplicate' || outcome === 'recorded') {
      if (outcome === 'recorded' && !decision.answer && message.direction === 'inbound') {
        this.logger.log(`Message ${message.id} of ticket ${ticket.id} gets no reply: ${decision.reason}`);
      }
      return;
    }
    if (outcome.action === 'scheduled') {
      this.logger.log(`Reply ${outcome.responseId} to ticket ${ticket.id} scheduled in ${outcome.delaySeconds} s`);
    } else {
      this.logger.log(`Message ${message.id} joins reply ${outcome.responseId} of ticket ${ticket.id}`);
    }
  }
}
