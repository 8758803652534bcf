import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { Outbox } from '@ensoras/messaging';
import { ticketUpdated } from '../tickets/ticket-envelopes.js';
import { Ticket } from '../tickets/ticket.entity.js';

/** The ticket keeps this much of the reason (ai-responder sends at most 1,000 characters). */
const MAX_HANDOFF_REASON_CHARS = 1_000;

export type HandoffOutcome = 'handed-off' | 'unchanged' | 'unknown-ticket';

/**
 * The AI gave a ticket up (a loop-breaker limit, a withheld reply, a sender it could not verify): the ticket becomes
 * `handed_off` with the reason, so it shows in a human's queue saying why, and ticket.updated says so. Idempotent: a ticket already handed off stays as it is, unannounced.
 */
@Injectable()
export class HandoffService {
  private readonly logger = new Logger(HandoffService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async handOff(projectId: string, ticketId: string, reason: string): Promise<HandoffOutcome> {
    if (!isUUID(ticketId)) return this.unknown(projectId, ticketId);
    const outcome = await this.dataSource.transaction(async (m): Promise<HandoffOutcome> => {
      const ticket = await m.findOne(Ticket, { where: { id: ticketId, projectId }, lock: { mode: 'pessimistic_write' } });
      if (!ticket) return 'unknown-ticket';
      if (ticket.status === 'handed_off') return 'unchanged';
      ticket.status = 'handed_off';
      ticket.handoffReason = reason.slice(0, MAX_HANDOFF_REASON_CHARS);
      ticket.updatedAt = new Date();
      await m.update(Ticket, { id: ticket.id }, { status: ticket.status, handoffReason: ticket.handoffReason, updatedAt: ticket.updatedAt });
      await this.outbox.add(m, ticketUpdated(ticket, ['status', 'handoffReason']));
      return 'handed-off';
    });
    if (outcome === 'unknown-ticket') return this.unknown(projectId, ticketId);
    if (outcome === 'handed-off') {
      this.outbox.publishSoon();
      this.logger.log(`Ticket ${ticketId} in ${projectId} handed off to a human: ${reason}`);
    }
    return outcome;
  }

  private unknown(projectId: string, ticketId: string): HandoffOutcome {
    this.logger.warn(`reply.handoff for unknown ticket ${ticketId} in ${projectId}; ignored`);
    return 'unknown-ticket';
  }
}
