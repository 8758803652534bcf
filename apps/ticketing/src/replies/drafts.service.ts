import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus, TicketMessageView } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { ticketTransition } from '../tickets/ticket-transitions.js';
import { toTicketMessageView } from '../tickets/ticket-views.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OutgoingReplyService, safeHtml } from './outgoing-reply.service.js';

/** An agent's edit of a draft: the text, and the HTML form of the same text or none. */
export interface DraftEdit {
  text: string;
  html: string | null;
}

export type DraftOutcome =
  | { outcome: 'sent'; message: TicketMessageView }
  | { outcome: 'discarded'; message: TicketMessageView }
  | { outcome: 'ticket-not-found' }
  | { outcome: 'draft-not-found' }
  /** Sent already, or discarded (or not a draft at all): nothing to do with it any more. */
  | { outcome: 'not-a-draft'; deliveryStatus: DeliveryStatus };

/**
 * What an agent does with the AI's drafts (draft mode). Sending one hands it to OutgoingReplyService.queueForSending,
 * the path every reply takes: same Message-ID and threading headers as recorded, signature added by mail-outbound,
 * delivery status settled by its reports. The author stays `ai` when the draft goes out as written and becomes
 * `agent` when the agent changed it.
 */
@Injectable()
export class DraftsService {
  private readonly logger = new Logger(DraftsService.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly replies: OutgoingReplyService,
  ) {}

  /** Sends the draft, as written or with the agent's edit. */
  async send(projectId: string, ticketId: string, draftId: string, edit: DraftEdit | null): Promise<DraftOutcome> {
    const outcome = await this.withDraft(projectId, ticketId, draftId, async (m, ticket, draft) => {
      const html = edit ? safeHtml(edit.html) : draft.html;
      const now = new Date();
      draft.deliveryStatus = 'queued';
      // Listed where it was sent, after whatever the customer wrote while it waited.
      draft.createdAt = now;
      if (edit !== null && (edit.text !== draft.text || html !== draft.html)) {
        Object.assign(draft, { author: 'agent', text: edit.text, newText: edit.text, html });
      }
      await m.update(
        TicketMessage,
        { id: draft.id },
        { deliveryStatus: draft.deliveryStatus, createdAt: now, author: draft.author, text: draft.text, newText: draft.newText, html: draft.html },
      );
      await this.replies.queueForSending(m, ticket, draft, 'agent', now);
      return { outcome: 'sent', message: toTicketMessageView(draft) };
    });
    if (outcome.outcome === 'sent') {
      this.logger.log(`Draft ${draftId} of ticket ${ticketId} in ${projectId} sent (${outcome.message.author})`);
    }
    return outcome;
  }

  /** Discards the draft; the ticket leaves draft_ready for open once no other draft waits (ticketTransition). */
  async discard(projectId: string, ticketId: string, draftId: string): Promise<DraftOutcome> {
    const outcome = await this.withDraft(projectId, ticketId, draftId, async (m, ticket, draft) => {
      draft.deliveryStatus = 'discarded';
      await m.update(TicketMessage, { id: draft.id }, { deliveryStatus: draft.deliveryStatus });
      const draftsLeft = await m.countBy(TicketMessage, { ticketId: ticket.id, deliveryStatus: 'draft' });
      const previousStatus = ticket.status;
      const transition = ticketTransition(ticket.status, { type: 'draft-discarded', draftsLeft });
      const changes = ['message.deliveryStatus'];
      if (transition.outcome === 'change') {
        ticket.status = transition.status;
        ticket.updatedAt = new Date();
        await m.update(Ticket, { id: ticket.id }, { status: ticket.status, updatedAt: ticket.updatedAt });
        changes.push('status');
      }
      await this.outbox.add(m, ticketUpdated(ticket, changes, { message: draft, previousStatus }));
      return { outcome: 'discarded', message: toTicketMessageView(draft) };
    });
    if (outcome.outcome === 'discarded') {
      this.logger.log(`Draft ${draftId} of ticket ${ticketId} in ${projectId} discarded`);
    }
    return outcome;
  }

  /**
   * Runs `act` in a transaction with the draft and its ticket locked: the message first, then the ticket, in the
   * order a delivery report takes them (a report for the sent draft may arrive while an agent sends it again).
   */
  private async withDraft(
    projectId: string,
    ticketId: string,
    draftId: string,
    act: (m: EntityManager, ticket: Ticket, draft: TicketMessage) => Promise<DraftOutcome>,
  ): Promise<DraftOutcome> {
    if (!isUUID(ticketId)) return { outcome: 'ticket-not-found' };
    return this.outbox.transaction(async (m): Promise<DraftOutcome> => {
      const draft = isUUID(draftId)
        ? await m.findOne(TicketMessage, { where: { id: draftId, ticketId, projectId, direction: 'outbound' }, lock: { mode: 'pessimistic_write' } })
        : null;
      const ticket = await m.findOne(Ticket, { where: { id: ticketId, projectId }, lock: { mode: 'pessimistic_write' } });
      if (!ticket) return { outcome: 'ticket-not-found' };
      if (!draft) return { outcome: 'draft-not-found' };
      if (draft.deliveryStatus !== 'draft') return { outcome: 'not-a-draft', deliveryStatus: draft.deliveryStatus };
      return act(m, ticket, draft);
    });
  }
}
