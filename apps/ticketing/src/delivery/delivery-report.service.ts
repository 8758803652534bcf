import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import type { DeliveryStatus, MailFailedPayload, MailSentPayload } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { ticketUpdated } from '../tickets/ticket-envelopes.js';
import { failedReplyHandoff } from './failed-reply-handoff.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';

export type DeliveryReport =
  | { status: 'sent'; payload: MailSentPayload }
  | { status: 'failed'; payload: MailFailedPayload };

export type DeliveryOutcome = 'updated' | 'unchanged' | 'unknown-message';

/**
 * Settles an outgoing message's deliveryStatus from mail-outbound's report. Idempotent: a report that changes
 * nothing (redelivered, or late after a success) leaves the row and the event stream alone.
 */
@Injectable()
export class DeliveryReportService {
  private readonly logger = new Logger(DeliveryReportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async apply(projectId: string, report: DeliveryReport): Promise<DeliveryOutcome> {
    const { outboundMessageId } = report.payload;
    if (!isUUID(outboundMessageId)) return this.unknown(projectId, outboundMessageId);
    const outcome = await this.dataSource.transaction(async (m): Promise<DeliveryOutcome> => {
      const message = await m.findOne(TicketMessage, {
        where: { id: outboundMessageId, projectId, direction: 'outbound' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!message) return 'unknown-message';
      const next = settle(message, report);
      if (next.deliveryStatus === message.deliveryStatus && next.deliveryNote === message.deliveryNote) return 'unchanged';
      const previous = message.deliveryStatus;
      message.deliveryStatus = next.deliveryStatus;
      message.deliveryNote = next.deliveryNote;
      await m.update(TicketMessage, { id: message.id }, next);
      const ticket = await m.findOneOrFail(Ticket, { where: { id: message.ticketId }, lock: { mode: 'pessimistic_write' } });
      const handoff = failedReplyHandoff(ticket, previous, next);
      if (handoff) {
        Object.assign(ticket, handoff, { updatedAt: new Date() });
        await m.update(Ticket, { id: ticket.id }, { ...handoff, updatedAt: ticket.updatedAt });
        this.logger.log(`Ticket ${ticket.id} in ${projectId} handed off to a human: ${handoff.handoffReason}`);
      }
      const changed = handoff ? ['message.deliveryStatus', 'status', 'handoffReason'] : ['message.deliveryStatus'];
      await this.outbox.add(m, ticketUpdated(ticket, changed, message));
      return 'updated';
    });
    if (outcome === 'updated') this.outbox.publishSoon();
    if (outcome === 'unknown-message') return this.unknown(projectId, outboundMessageId);
    return outcome;
  }

  private unknown(projectId: string, outboundMessageId: string): DeliveryOutcome {
    this.logger.warn(`Delivery report for unknown outgoing message ${outboundMessageId} in ${projectId}; ignored`);
    return 'unknown-message';
  }
}

/**
 * A sent mail stays sent: a failure reported after it (a late or reordered report) is ignored. A temporary
 * failure keeps the mail queued, and a success may follow any failure, because mail-outbound retries. A bounced
 * mail stays bounced: the recipient's server has spoken, whatever report of ours arrives after it.
 */
export function settle(
  message: Pick<TicketMessage, 'deliveryStatus' | 'deliveryNote'>,
  report: DeliveryReport,
): { deliveryStatus: DeliveryStatus; deliveryNote: string | null } {
  if (message.deliveryStatus === 'bounced') return { deliveryStatus: message.deliveryStatus, deliveryNote: message.deliveryNote };
  if (report.status === 'sent') return { deliveryStatus: 'sent', deliveryNote: null };
  if (message.deliveryStatus === 'sent') return { deliveryStatus: message.deliveryStatus, deliveryNote: message.deliveryNote };
  const { code, reason, permanent } = report.payload;
  // A temporary failure is not a verdict: the mail stays queued, with the reason, while mail-outbound retries.
  const note = `${code}: ${reason}${permanent ? '' : ' (temporary; mail-outbound tries again)'}`;
  return { deliveryStatus: permanent ? 'failed' : 'queued', deliveryNote: note.slice(0, 2_000) };
}
