import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, Not, type EntityManager } from 'typeorm';
import { channelSafetyOf, type BounceDetails, type EventEnvelope, type MailClassification, type MailKind, type MailReceivedPayload, type TicketStatus } from '@ensoras/contracts';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import { NO_SUBJECT, normalizeMessageId, normalizeSubject, parseMessageIdList, subjectThreadKey } from '@ensoras/mail';
import { bounceEffect } from '../delivery/bounce-effect.js';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { ticketCreated, ticketMessageCreated, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { insertOrRetry } from '../tickets/concurrent-insert.js';
import { subjectThreadHash } from '../tickets/subject-thread-hash.js';
import { UnattachedMail } from '../unattached/unattached-mail.entity.js';
import { customerOf } from './customer-address.js';
import { receivedMailNote } from './message-note.js';
import { trustedClassification } from './own-mail.js';
import { decideThread, isMachineKind, threadingReferences, type ThreadDecision, type ThreadingMail } from './thread-decision.js';

export type InboundOutcome =
  | { outcome: 'recorded'; ticketId: string; messageId: string; decision: ThreadDecision; bounced: boolean }
  | { outcome: 'unattached'; reason: string }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; reason: string };

/** How many tickets of one customer with one subject are worth looking at; the newest wins anyway. */
const SUBJECT_CANDIDATE_LIMIT = 5;

/**
 * Turns a received mail into a ticket message: de-duplicated by Message-ID, threaded, recorded and announced in one
 * transaction. Concurrent handling of related mail (another replica) surfaces as a unique violation and is retried
 * by throwing, so JetStream redelivers and the retry sees the other's committed rows. Our own mail and machine mail
 * that continue no ticket are kept as unattached mail instead; a bounce of one of our replies marks that reply.
 */
@Injectable()
export class InboundMailService {
  private readonly logger = new Logger(InboundMailService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly channels: ChannelSettingsReplica,
  ) {}

  async receive(envelope: EventEnvelope<MailReceivedPayload>): Promise<InboundOutcome> {
    const { projectId, payload: mail } = envelope;
    const messageId = normalizeMessageId(mail?.messageId);
    if (!messageId) {
      this.logger.warn(`mail.received ${envelope.id} in ${projectId} has no usable Message-ID; dropped`);
      return { outcome: 'ignored', reason: 'no Message-ID' };
    }
    const customer = customerOf(mail);
    await this.channels.whenReady();
    const classification = trustedClassification(mail.classification, messageId, this.channels.get(projectId)?.identity?.fromEmail);
    const kind: MailKind = classification.kind;
    const bounce = kind === 'bounce' ? (mail.bounce ?? null) : null;
    const threading: ThreadingMail = {
      messageId,
      inReplyTo: normalizeMessageId(mail.inReplyTo),
      references: threadingReferences(parseMessageIdList(mail.references).filter((id) => id !== messageId)),
      subject: mail.subject ?? '',
      customerAddress: customer.address,
      kind,
      bouncedMessageId: normalizeMessageId(bounce?.originalMessageId),
    };
    // Only for the note's wording; the decision that a mail is oversized was mail-ingest's.
    const note = receivedMailNote(
      { size: mail.size, oversized: mail.oversized === true, truncated: mail.truncated === true },
      channelSafetyOf(this.channels.get(projectId)).maxMessageSizeMb,
    );

    const result = await this.dataSource.transaction(async (m): Promise<InboundOutcome> => {
      if (await m.existsBy(TicketMessage, { projectId, messageId })) return { outcome: 'duplicate' };
      if (await m.existsBy(UnattachedMail, { projectId, messageId })) return { outcome: 'duplicate' };

      const namedIds = unique([messageId, threading.inReplyTo, ...threading.references]);
      const known = await m.find(ThreadReference, { where: { projectId, messageId: In(unique([...namedIds, threading.bouncedMessageId])) } });
      const decision = decideThread(threading, known, await this.subjectCandidates(m, projectId, threading));
      if (decision.action === 'unattached') {
        await this.keepUnattached(m, projectId, messageId, mail, classification, bounce, decision.reason);
        return { outcome: 'unattached', reason: decision.reason };
      }

      const now = new Date();
      const isOwn = kind === 'own';
      let ticket: Ticket;
      const changes: string[] = ['messageCount'];
      if (decision.action === 'create') {
        const subjectKey = subjectThreadKey(mail.subject);
        ticket = m.create(Ticket, {
          id: randomUUID(),
          projectId,
          subject: normalizeSubject(mail.subject) || NO_SUBJECT,
          subjectKey,
          subjectThreadHash: subjectThreadHash(customer.address, subjectKey),
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
        const reopened = reopenedStatus(ticket.status, kind);
        if (reopened !== ticket.status) {
          ticket.status = reopened;
          changes.push('status');
        }
        await m.update(Ticket, { id: ticket.id }, { messageCount: ticket.messageCount, updatedAt: now, status: ticket.status });
      }

      const text = mail.text ?? '';
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
        text,
        // Events from before the new part was extracted carry none: the whole text is then the new part.
        newText: typeof mail.newText === 'string' ? mail.newText : text,
        html: mail.html ?? null,
        // Mail over the size limit keeps no attachments, whatever the event lists.
        attachments: mail.oversized ? [] : (mail.attachments ?? []),
        note,
        date: writtenAt(mail.date),
        messageId,
        inReplyTo: threading.inReplyTo,
        references: threading.references,
        deliveryStatus: 'received',
        deliveryNote: null,
        kind,
        kindReasons: classification.reasons,
        responseId: null,
        rawObjectKey: mail.rawObjectKey ?? null,
        createdAt: now,
      });
      await insertOrRetry(m, TicketMessage, message, `Message-ID ${messageId} is being recorded concurrently`);
      const newIds = namedIds.filter((id) => !known.some((reference) => reference.messageId === id));
      await this.indexThread(m, projectId, ticket.id, newIds, now);

      if (decision.action === 'create') {
        await this.outbox.add(m, ticketCreated(ticket), ticketMessageCreated(ticket, message));
        return { outcome: 'recorded', ticketId: ticket.id, messageId: message.id, decision, bounced: false };
      }
      const bounced = bounce && threading.bouncedMessageId ? await this.markBounced(m, ticket, threading.bouncedMessageId, bounce) : null;
      if (bounced) changes.push('message.deliveryStatus');
      await this.outbox.add(m, ticketMessageCreated(ticket, message), ticketUpdated(ticket, changes, bounced ?? undefined));
      return { outcome: 'recorded', ticketId: ticket.id, messageId: message.id, decision, bounced: bounced !== null };
    });

    if (result.outcome === 'recorded') {
      this.outbox.publishSoon();
      const how = result.decision.action === 'join' ? `joined by ${result.decision.rule}` : 'new ticket';
      this.logger.log(`${messageId} in ${projectId} → ticket ${result.ticketId} (${how}${result.bounced ? ', marks our reply' : ''})`);
    } else if (result.outcome === 'unattached') {
      this.logger.log(`${messageId} in ${projectId} (${kind}) kept without a ticket: ${result.reason}`);
    }
    return result;
  }

  /**
   * Applies a bounce to the outgoing message of this ticket it reports on. Returns that message when its delivery
   * status or note changed, null when the bounce is not about one of our mails or changes nothing (a repeat).
   */
  private async markBounced(m: EntityManager, ticket: Ticket, bouncedMessageId: string, bounce: BounceDetails): Promise<TicketMessage | null> {
    const outgoing = await m.findOne(TicketMessage, {
      where: { projectId: ticket.projectId, ticketId: ticket.id, messageId: bouncedMessageId, direction: 'outbound' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!outgoing) return null;
    const next = bounceEffect(outgoing, bounce);
    if (!next) return null;
    await m.update(TicketMessage, { id: outgoing.id }, next);
    return Object.assign(outgoing, next);
  }

  /** Kept once per Message-ID; a concurrent copy of the same mail (another replica) is simply not inserted twice. */
  private async keepUnattached(
    m: EntityManager,
    projectId: string,
    messageId: string,
    mail: MailReceivedPayload,
    classification: MailClassification,
    bounce: BounceDetails | null,
    reason: string,
  ): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(UnattachedMail)
      .values({
        id: randomUUID(),
        projectId,
        messageId,
        kind: classification.kind,
        kindReasons: classification.reasons,
        reason,
        from: mail.from ?? null,
        to: mail.to ?? [],
        subject: mail.subject ?? '',
        text: mail.text ?? '',
        bounce,
        rawObjectKey: mail.rawObjectKey ?? null,
        createdAt: new Date(),
      })
      .orIgnore()
      .execute();
  }

  private async subjectCandidates(m: EntityManager, projectId: string, mail: ThreadingMail) {
    const hash = subjectThreadHash(mail.customerAddress, subjectThreadKey(mail.subject));
    if (hash === null || mail.customerAddress === '') return [];
    const tickets = await m.find(Ticket, {
      where: { projectId, subjectThreadHash: hash, status: Not<TicketStatus>('closed') },
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

/**
 * A customer writing again puts an answered (or closed) ticket back into the queue; machines do not. A ticket
 * handed to a human stays with the human.
 */
function reopenedStatus(status: TicketStatus, kind: MailKind): TicketStatus {
  if (kind === 'own' || isMachineKind(kind)) return status;
  return status === 'answered' || status === 'closed' ? 'open' : status;
}

function unique(ids: Array<string | null>): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

/** The Date header as a time, or null when it is missing or unreadable. */
function writtenAt(date: string | null | undefined): Date | null {
  const time = date ? new Date(date) : null;
  return time && !Number.isNaN(time.getTime()) ? time : null;
}
