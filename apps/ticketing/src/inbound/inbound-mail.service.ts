import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, Not, type EntityManager } from 'typeorm';
import type { EventEnvelope, MailKind, MailReceivedPayload, TicketStatus } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { NO_SUBJECT, normalizeMessageId, normalizeSubject, parseMessageIdList, subjectThreadKey } from '@ensoras/mail';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { ticketCreated, ticketMessageCreated, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { insertOrRetry } from '../tickets/concurrent-insert.js';
import { customerOf } from './customer-address.js';
import { decideThread, type ThreadDecision, type ThreadingMail } from './thread-decision.js';

export type InboundOutcome =
  | { outcome: 'recorded'; ticketId: string; messageId: string; decision: ThreadDecision }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; reason: string };

/** Mail written by machines: recorded, but it does not put an answered ticket back into the queue. */
const MACHINE_KINDS: ReadonlySet<MailKind> = new Set(['auto-reply', 'out-of-office', 'bounce', 'feedback-report', 'read-receipt']);

/** How many tickets of one customer with one subject are worth looking at; the newest wins anyway. */
const SUBJECT_CANDIDATE_LIMIT = 5;

/**
 * Turns a received mail into a ticket message: de-duplicated by Message-ID, threaded, recorded and announced in one
 * transaction. Concurrent handling of related mail (another replica) surfaces as a unique violation and is retried
 * by throwing, so JetStream redelivers and the retry sees the other's committed rows.
 */
@Injectable()
export class InboundMailService {
  private readonly logger = new Logger(InboundMailService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async receive(envelope: EventEnvelope<MailReceivedPayload>): Promise<InboundOutcome> {
    const { projectId, payload: mail } = envelope;
    const messageId = normalizeMessageId(mail?.messageId);
    if (!messageId) {
      this.logger.warn(`mail.received ${envelope.id} in ${projectId} has no usable Message-ID; dropped`);
      return { outcome: 'ignored', reason: 'no Message-ID' };
    }
    const customer = customerOf(mail);
    const threading: ThreadingMail = {
      messageId,
      inReplyTo: normalizeMessageId(mail.inReplyTo),
      references: parseMessageIdList(mail.references).filter((id) => id !== messageId),
      subject: mail.subject ?? '',
      customerAddress: customer.address,
      kind: mail.classification?.kind ?? 'normal',
    };

    const result = await this.dataSource.transaction(async (m): Promise<InboundOutcome> => {
      if (await m.existsBy(TicketMessage, { projectId, messageId })) return { outcome: 'duplicate' };

      const namedIds = unique([messageId, threading.inReplyTo, ...threading.references]);
      const known = await m.find(ThreadReference, { where: { projectId, messageId: In(namedIds) } });
      const decision = decideThread(threading, known, await this.subjectCandidates(m, projectId, threading));
      if (decision.action === 'ignore') return { outcome: 'ignored', reason: decision.reason };

      const now = new Date();
      const isOwn = threading.kind === 'own';
      let ticket: Ticket;
      const changes: string[] = ['messageCount'];
      if (decision.action === 'create') {
        ticket = m.create(Ticket, {
          id: randomUUID(),
          projectId,
          subject: normalizeSubject(mail.subject) || NO_SUBJECT,
          subjectKey: subjectThreadKey(mail.subject),
          customerAddress: customer.address,
          customerName: customer.name,
          status: 'open',
          messageCount: 1,
          createdAt: now,
          updatedAt: now,
        });
        await m.insert(Ticket, ticket);
      } else {
        // The row lock orders concurrent messages of one ticket, so messageCount and status stay exact.
        ticket = await m.findOneOrFail(Ticket, { where: { id: decision.ticketId }, lock: { mode: 'pessimistic_write' } });
        ticket.messageCount += 1;
        ticket.updatedAt = now;
        const reopened = reopenedStatus(ticket.status, threading.kind);
        if (reopened !== ticket.status) {
          ticket.status = reopened;
          changes.push('status');
        }
        await m.update(Ticket, { id: ticket.id }, { messageCount: ticket.messageCount, updatedAt: now, status: ticket.status });
      }

      const message = m.create(TicketMessage, {
        id: randomUUID(),
        ticketId: ticket.id,
        projectId,
        direction: 'inbound',
        // Mail from the channel's own address that we did not send: a person answering from the mailbox itself.
        author: isOwn ? 'agent' : 'customer',
        from: mail.from ?? null,
        to: mail.to ?? [],
        cc: mail.cc ?? [],
        replyTo: mail.replyTo ?? [],
        subject: mail.subject ?? '',
        text: mail.text ?? '',
        html: mail.html ?? null,
        messageId,
        inReplyTo: threading.inReplyTo,
        references: threading.references,
        deliveryStatus: 'received',
        deliveryNote: null,
        kind: threading.kind,
        kindReasons: mail.classification?.reasons ?? [],
        responseId: null,
        rawObjectKey: mail.rawObjectKey ?? null,
        createdAt: now,
      });
      await insertOrRetry(m, TicketMessage, message, `Message-ID ${messageId} is being recorded concurrently`);
      const newIds = namedIds.filter((id) => !known.some((reference) => reference.messageId === id));
      await this.indexThread(m, projectId, ticket.id, newIds, now);

      await this.outbox.add(
        m,
        ...(decision.action === 'create'
          ? [ticketCreated(ticket), ticketMessageCreated(ticket, message)]
          : [ticketMessageCreated(ticket, message), ticketUpdated(ticket, changes)]),
      );
      return { outcome: 'recorded', ticketId: ticket.id, messageId: message.id, decision };
    });

    if (result.outcome === 'recorded') {
      this.outbox.publishSoon();
      const how = result.decision.action === 'join' ? `joined by ${result.decision.rule}` : 'new ticket';
      this.logger.log(`${messageId} in ${projectId} → ticket ${result.ticketId} (${how})`);
    } else if (result.outcome === 'ignored') {
      this.logger.warn(`${messageId} in ${projectId} not recorded: ${result.reason}`);
    }
    return result;
  }

  private async subjectCandidates(m: EntityManager, projectId: string, mail: ThreadingMail) {
    const subjectKey = subjectThreadKey(mail.subject);
    if (subjectKey === null || mail.customerAddress === '') return [];
    const tickets = await m.find(Ticket, {
      where: { projectId, customerAddress: mail.customerAddress, subjectKey, status: Not<TicketStatus>('closed') },
      order: { updatedAt: 'DESC' },
      take: SUBJECT_CANDIDATE_LIMIT,
    });
    return tickets.map((t) => ({ ticketId: t.id, customerAddress: t.customerAddress, subjectKey: t.subjectKey, status: t.status, updatedAt: t.updatedAt }));
  }

  /**
   * Claims the ids this mail carries and names for its ticket. Sorted, so two transactions claim in the same order
   * and wait for each other instead of deadlocking; a plain insert, so an id claimed concurrently is an error.
   */
  private async indexThread(m: EntityManager, projectId: string, ticketId: string, ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const rows = [...ids].sort().map((messageId) => ({ projectId, messageId, ticketId, createdAt: now }));
    await insertOrRetry(m, ThreadReference, rows, `a Message-ID of this thread was claimed concurrently`);
  }
}

/** A customer writing again puts an answered (or closed) ticket back into the queue; machines do not. */
function reopenedStatus(status: TicketStatus, kind: MailKind): TicketStatus {
  if (kind === 'own' || MACHINE_KINDS.has(kind)) return status;
  return status === 'answered' || status === 'closed' ? 'open' : status;
}

function unique(ids: Array<string | null>): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
