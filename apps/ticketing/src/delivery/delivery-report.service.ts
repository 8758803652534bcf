import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus, MailFailedPayload, MailSentPayload } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { ticketHandoff, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { failedReplyHandoff } from './failed-reply-handoff.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';

export type DeliveryReport =
  | { status: 'sent'; payload: MailSentPayload }
  | { status: 'failed'; payload: MailFailedPayload };

export type DeliveryOutcome = 'updated' | 'unchanged' | 'unknown-message';

/** A report and the project it came from (the subject's, so that a report never settles another project's mail). */
export interface ProjectDeliveryReport {
  projectId: string;
  report: DeliveryReport;
}

/** An outcome and what to log about it once the transaction has committed. */
type Settlement =
  | { outcome: 'updated'; handedOff: { ticketId: string; reason: string } | null }
  | { outcome: 'unchanged' | 'unknown-message' };

/**
 * Settles an outgoing message's deliveryStatus from mail-outbound's report, the reports of a batch in one transaction.
 * Idempotent: a report that changes nothing (redelivered, or late after a success) leaves the row and the event
 * stream alone.
 */
@Injectable()
export class DeliveryReportService {
  private readonly logger = new Logger(DeliveryReportService.name);

  constructor(
    private readonly outbox: Outbox,
  ) {}

  async apply(projectId: string, report: DeliveryReport): Promise<DeliveryOutcome> {
    return (await this.applyMany([{ projectId, report }]))[0]!;
  }

  /**
   * One outcome per report, in their order, each as if the reports before it had been applied one by one (a report
   * repeated in the batch finds the message already settled). All of them are applied in one transaction or, when it
   * throws, none: the caller then retries them. An unknown message is that report's outcome, not the batch's failure.
   */
  async applyMany(reports: readonly ProjectDeliveryReport[]): Promise<DeliveryOutcome[]> {
    const settlements = new Array<Settlement>(reports.length);
    const toApply: number[] = [];
    for (const [position, { report }] of reports.entries()) {
      // Not an id any message can have: not worth a query.
      if (isUUID(report.payload.outboundMessageId)) toApply.push(position);
      else settlements[position] = { outcome: 'unknown-message' };
    }
    if (toApply.length > 0) {
      const applied = await this.outbox.transaction(async (m) => {
        const outcomes: Settlement[] = [];
        for (const position of toApply) outcomes.push(await this.applyIn(m, reports[position]!));
        return outcomes;
      });
      for (const [index, position] of toApply.entries()) settlements[position] = applied[index]!;
    }

    // After the commit: a hand-off logged inside the transaction would be a lie if a later report rolled it back.
    for (const [position, settlement] of settlements.entries()) this.logSettlement(reports[position]!, settlement);
    return settlements.map((settlement) => settlement.outcome);
  }

  /** One report, inside the batch's transaction; only `updated` changes anything. */
  private async applyIn(m: EntityManager, { projectId, report }: ProjectDeliveryReport): Promise<Settlement> {
    const message = await m.findOne(TicketMessage, {
      where: { id: report.payload.outboundMessageId, projectId, direction: 'outbound' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!message) return { outcome: 'unknown-message' };
    const next = settle(message, report);
    if (next.deliveryStatus === message.deliveryStatus && next.deliveryNote === message.deliveryNote) return { outcome: 'unchanged' };
    const previous = message.deliveryStatus;
    message.deliveryStatus = next.deliveryStatus;
    message.deliveryNote = next.deliveryNote;
    await m.update(TicketMessage, { id: message.id }, next);
    const ticket = await m.findOneOrFail(Ticket, { where: { id: message.ticketId }, lock: { mode: 'pessimistic_write' } });
    const handoff = failedReplyHandoff(ticket, previous, next);
    const previousStatus = ticket.status;
    if (handoff) {
      Object.assign(ticket, handoff, { updatedAt: new Date() });
      await m.update(Ticket, { id: ticket.id }, { ...handoff, updatedAt: ticket.updatedAt });
    }
    const changed = handoff ? ['message.deliveryStatus', 'status', 'handoffReason'] : ['message.deliveryStatus'];
    await this.outbox.add(m, ticketUpdated(ticket, changed, { message, previousStatus }));
    if (handoff) await this.outbox.add(m, ticketHandoff(ticket, 'system'));
    return { outcome: 'updated', handedOff: handoff ? { ticketId: ticket.id, reason: handoff.handoffReason } : null };
  }

  private logSettlement({ projectId, report }: ProjectDeliveryReport, settlement: Settlement): void {
    if (settlement.outcome === 'unknown-message') {
      this.logger.warn(`Delivery report for unknown outgoing message ${report.payload.outboundMessageId} in ${projectId}; ignored`);
    } else if (settlement.outcome === 'updated' && settlement.handedOff) {
      this.logger.log(`Ticket ${settlement.handedOff.ticketId} in ${projectId} handed off to a human: ${settlement.handedOff.reason}`);
    }
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
