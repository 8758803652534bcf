import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, HandoffBy, TicketStatus, TicketView } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { ticketClosed, ticketHandoff, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { ticketTransition, type TicketEvent } from '../tickets/ticket-transitions.js';
import { toTicketView } from '../tickets/ticket-views.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { MAX_HANDOFF_REASON_CHARS } from './handoff.dto.js';

export type StatusChangeOutcome =
  | { outcome: 'changed'; ticket: TicketView }
  /** Nothing to do (a repeated handoff by the AI): nothing written, nothing announced. */
  | { outcome: 'unchanged'; ticket: TicketView }
  /** The change makes no sense for the ticket as it is (ticketTransition's reason). */
  | { outcome: 'refused'; reason: string; ticket: TicketView }
  | { outcome: 'unknown-ticket' };

/**
 * Handoff, resuming the AI and closing: each moves the ticket's status as ticketTransition decides and announces it
 * through the outbox in the same transaction: always ticket.updated (with `previousStatus`), and ticket.handoff or
 * ticket.closed beside it.
 */
@Injectable()
export class TicketStatusService {
  private readonly logger = new Logger(TicketStatusService.name);

  constructor(
    private readonly outbox: Outbox,
  ) {}

  /**
   * The ticket goes to a human (`needs_human`) with the reason, so it shows in a human's queue saying why. The AI's
   * handoff is idempotent: a ticket a human holds already stays as it is, unannounced, with its first reason.
   */
  async handOff(projectId: string, ticketId: string, by: HandoffBy, reason: string): Promise<StatusChangeOutcome> {
    const outcome = await this.change(projectId, ticketId, { type: 'handoff', by }, (_m, ticket, previousStatus) => {
      ticket.handoffReason = reason.slice(0, MAX_HANDOFF_REASON_CHARS);
      return Promise.resolve([ticketUpdated(ticket, ['status', 'handoffReason'], { previousStatus }), ticketHandoff(ticket, by)]);
    });
    if (outcome.outcome === 'changed') this.logger.log(`Ticket ${ticketId} in ${projectId} handed off to a human (${by}): ${reason}`);
    return outcome;
  }

  /** needs_human → open: the AI may answer the ticket again (ai-responder learns it from `previousStatus`). */
  async resumeAi(projectId: string, ticketId: string): Promise<StatusChangeOutcome> {
    const outcome = await this.change(projectId, ticketId, { type: 'resume-ai' }, (_m, ticket, previousStatus) =>
      Promise.resolve([ticketUpdated(ticket, ['status'], { previousStatus })]),
    );
    if (outcome.outcome === 'changed') this.logger.log(`Ticket ${ticketId} in ${projectId} given back to the AI`);
    return outcome;
  }

  /**
   * → closed. Drafts still waiting are discarded with it: the conversation is over, and a draft sent days later into
   * a closed ticket would answer nothing. A new customer mail reopens it (InboundMailService), and the AI drafts anew.
   */
  async close(projectId: string, ticketId: string): Promise<StatusChangeOutcome> {
    return this.change(projectId, ticketId, { type: 'close' }, async (m, ticket, previousStatus) => {
      const discarded = await m.update(TicketMessage, { ticketId: ticket.id, deliveryStatus: 'draft' }, { deliveryStatus: 'discarded' });
      const changes = (discarded.affected ?? 0) > 0 ? ['status', 'drafts'] : ['status'];
      return [ticketUpdated(ticket, changes, { previousStatus }), ticketClosed(ticket, previousStatus)];
    });
  }

  /**
   * Locks the ticket, decides, and on a change writes the new status (and whatever `apply` set on the ticket or wrote
   * in the transaction) with the events `apply` builds from the changed ticket.
   */
  private async change(
    projectId: string,
    ticketId: string,
    event: TicketEvent,
    apply: (m: EntityManager, ticket: Ticket, previousStatus: TicketStatus) => Promise<EventEnvelope[]>,
  ): Promise<StatusChangeOutcome> {
    if (!isUUID(ticketId)) return { outcome: 'unknown-ticket' };
    return this.outbox.transaction(async (m, enqueue): Promise<StatusChangeOutcome> => {
      const ticket = await m.findOne(Ticket, { where: { id: ticketId, projectId }, lock: { mode: 'pessimistic_write' } });
      if (!ticket) return { outcome: 'unknown-ticket' };
      const transition = ticketTransition(ticket.status, event);
      if (transition.outcome === 'refused') return { outcome: 'refused', reason: transition.reason, ticket: toTicketView(ticket) };
      if (transition.outcome === 'unchanged') return { outcome: 'unchanged', ticket: toTicketView(ticket) };
      const previousStatus = ticket.status;
      ticket.status = transition.status;
      ticket.updatedAt = new Date();
      const events = await apply(m, ticket, previousStatus);
      await m.update(Ticket, { id: ticket.id }, { status: ticket.status, handoffReason: ticket.handoffReason, updatedAt: ticket.updatedAt });
      await enqueue(...events);
      return { outcome: 'changed', ticket: toTicketView(ticket) };
    });
  }
}
