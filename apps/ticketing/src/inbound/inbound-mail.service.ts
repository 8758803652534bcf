import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BounceDetails, EventEnvelope, MailReceivedPayload, TicketStatus } from '@ensoras/contracts';
import { ChannelSettingsReplica, logContext, Outbox } from '@ensoras/messaging';
import { NO_SUBJECT, normalizeSubject, subjectThreadKey } from '@ensoras/mail';
import { bounceEffect } from '../delivery/bounce-effect.js';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { ticketCreated, ticketMessageCreated, ticketUpdated } from '../tickets/ticket-envelopes.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { insertOrRetry } from '../tickets/concurrent-insert.js';
import { subjectThreadHash } from '../tickets/subject-thread-hash.js';
import { IncreasingClock } from '../tickets/increasing-clock.js';
import { ticketTransition } from '../tickets/ticket-transitions.js';
import { UnattachedMail } from '../unattached/unattached-mail.entity.js';
import { chunked, PendingWrites, type KnownReferences, type SubjectCandidates } from './inbound-batch.js';
import { knownReferences, storedMessageIds, subjectCandidates } from './inbound-lookups.js';
import { messageIdOf, prepareMail, receivedMessage, unattachedMail, unique, type PreparedMail } from './prepared-mail.js';
import { decideThread, type ThreadDecision } from './thread-decision.js';

export type InboundOutcome =
  | { outcome: 'recorded'; ticketId: string; messageId: string; decision: ThreadDecision; bounced: boolean }
  | { outcome: 'unattached'; reason: string }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; reason: string };

/** What one transaction knows about one project's threads while it decides that project's mails. */
interface ProjectThreads {
  references: KnownReferences;
  candidates: SubjectCandidates;
  writes: PendingWrites;
  clock: IncreasingClock;
}

/**
 * Turns received mail into ticket messages: de-duplicated by Message-ID, threaded, recorded and announced in one
 * transaction per batch, each mail decided exactly as if the mails before it had been recorded one by one. A batch
 * reads what it needs in a few queries, decides in memory and writes with multi-row statements: a transaction of a
 * dozen queries per mail kept a burst of mail waiting on round trips. Concurrent handling of related mail (another
 * replica) surfaces as a unique violation and is retried by throwing, so the whole batch rolls back and is
 * redelivered, and the retry sees the other's committed rows. Our own mail and machine mail that continue no ticket
 * are kept as unattached mail instead; a bounce of one of our replies marks that reply.
 */
@Injectable()
export class InboundMailService {
  private readonly logger = new Logger(InboundMailService.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly channels: ChannelSettingsReplica,
  ) {}

  async receive(envelope: EventEnvelope<MailReceivedPayload>): Promise<InboundOutcome> {
    return (await this.receiveMany([envelope]))[0]!;
  }

  /**
   * One outcome per envelope, in their order. All of them are recorded in one transaction or, when it throws, none:
   * the caller then retries them.
   */
  async receiveMany(envelopes: readonly EventEnvelope<MailReceivedPayload>[]): Promise<InboundOutcome[]> {
    const outcomes: InboundOutcome[] = [];
    const prepared: PreparedMail[] = [];
    for (const [position, envelope] of envelopes.entries()) {
      const messageId = messageIdOf(envelope);
      if (!messageId) {
        this.logger.warn(`mail.received ${envelope.id} in ${envelope.projectId} has no usable Message-ID; dropped`);
        outcomes[position] = { outcome: 'ignored', reason: 'no Message-ID' };
        continue;
      }
      if (prepared.length === 0) await this.channels.whenReady();
      prepared.push(prepareMail(position, envelope, messageId, this.channels.get(envelope.projectId)));
    }
    if (prepared.length === 0) return outcomes;

    const recorded = await this.outbox.transaction(async (m) => {
      const writes = new PendingWrites();
      const clock = new IncreasingClock();
      const results = new Map<PreparedMail, InboundOutcome>();
      for (const [projectId, mails] of byProject(prepared)) {
        for (const [mail, outcome] of await this.recordProject(m, projectId, mails, writes, clock)) results.set(mail, outcome);
      }
      await this.write(m, writes);
      return results;
    });

    for (const mail of prepared) outcomes[mail.position] = recorded.get(mail)!;
    for (const mail of prepared) this.logOutcome(mail, recorded.get(mail)!);
    return outcomes;
  }

  /** The mails of one project, in their order: a Message-ID stored already, or earlier in the batch, is a duplicate. */
  private async recordProject(
    m: EntityManager,
    projectId: string,
    mails: readonly PreparedMail[],
    writes: PendingWrites,
    clock: IncreasingClock,
  ): Promise<Array<[PreparedMail, InboundOutcome]>> {
    const stored = await storedMessageIds(m, projectId, mails.map((mail) => mail.messageId));
    const firstOfEach = new Map<string, PreparedMail>();
    for (const mail of mails) if (!stored.has(mail.messageId) && !firstOfEach.has(mail.messageId)) firstOfEach.set(mail.messageId, mail);
    if (firstOfEach.size === 0) return mails.map((mail) => [mail, { outcome: 'duplicate' }]);

    const fresh = [...firstOfEach.values()];
    const threads: ProjectThreads = {
      references: await knownReferences(m, projectId, fresh),
      candidates: await subjectCandidates(m, projectId, fresh),
      writes,
      clock,
    };
    const results: Array<[PreparedMail, InboundOutcome]> = [];
    for (const mail of mails) {
      results.push([mail, firstOfEach.get(mail.messageId) === mail ? await this.record(m, mail, threads) : { outcome: 'duplicate' }]);
    }
    return results;
  }

  /** Decides one mail and queues its rows and events, leaving `threads` as if they had been committed. */
  private async record(m: EntityManager, prepared: PreparedMail, threads: ProjectThreads): Promise<InboundOutcome> {
    const { projectId, mail, customer, classification, threading, bounce } = prepared;
    const { references, candidates, writes } = threads;
    const known = references.among(unique([...prepared.namedIds, threading.bouncedMessageId]));
    const decision = decideThread(threading, known, candidates.of(prepared.candidateHash));
    const now = threads.clock.now();
    if (decision.action === 'unattached') {
      writes.unattached.push(unattachedMail(prepared, decision.reason, now));
      return { outcome: 'unattached', reason: decision.reason };
    }

    let ticket: Ticket;
    const changes: string[] = ['messageCount'];
    let previousStatus: TicketStatus | undefined;
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
      writes.created(ticket);
    } else {
      ticket = writes.ticket(decision.ticketId) ?? (await this.lockTicket(m, decision.ticketId, writes));
      ticket.messageCount += 1;
      ticket.updatedAt = now;
      // A customer writing again puts an answered (or closed) ticket back into the queue; machines do not.
      const transition = ticketTransition(ticket.status, { type: 'mail-received', kind: classification.kind });
      if (transition.outcome === 'change') {
        previousStatus = ticket.status;
        ticket.status = transition.status;
        changes.push('status');
      }
      writes.changed(ticket);
    }
    candidates.touch(ticket);

    const message = receivedMessage(prepared, ticket, now);
    writes.messages.push(message);
    for (const messageId of references.claim(prepared.namedIds, ticket.id)) writes.reference({ projectId, messageId, ticketId: ticket.id, createdAt: now });

    // The events are built now, so that each shows the ticket as this mail left it. Those of a history mail stay in
    // the backlog lanes downstream, so the AI's work on new mail does not queue behind the history's.
    const announce = (...events: EventEnvelope[]) => writes.events.push(...events.map((event) => (prepared.backlog ? { ...event, backlog: true as const } : event)));
    if (decision.action === 'create') {
      announce(ticketCreated(ticket), ticketMessageCreated(ticket, message));
      return { outcome: 'recorded', ticketId: ticket.id, messageId: message.id, decision, bounced: false };
    }
    const bounced = bounce && threading.bouncedMessageId ? await this.markBounced(m, ticket, threading.bouncedMessageId, bounce) : null;
    if (bounced) changes.push('message.deliveryStatus');
    announce(ticketMessageCreated(ticket, message), ticketUpdated(ticket, changes, { message: bounced ?? undefined, previousStatus }));
    return { outcome: 'recorded', ticketId: ticket.id, messageId: message.id, decision, bounced: bounced !== null };
  }

  /** The row lock orders concurrent messages of one ticket, so messageCount and status stay exact. */
  private async lockTicket(m: EntityManager, ticketId: string, writes: PendingWrites): Promise<Ticket> {
    const ticket = await m.findOneOrFail(Ticket, { where: { id: ticketId }, lock: { mode: 'pessimistic_write' } });
    writes.loaded(ticket);
    return ticket;
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

  /**
   * Tickets first: messages and threading entries refer to them. A plain insert of messages and threading entries,
   * so a Message-ID recorded or claimed concurrently (another replica) is an error that rolls the batch back; a
   * concurrent copy of unattached mail is simply not inserted twice.
   */
  private async write(m: EntityManager, writes: PendingWrites): Promise<void> {
    for (const tickets of chunked(writes.createdTickets())) await m.insert(Ticket, tickets);
    for (const ticket of writes.changedStoredTickets()) {
      await m.update(Ticket, { id: ticket.id }, { messageCount: ticket.messageCount, updatedAt: ticket.updatedAt, status: ticket.status });
    }
    for (const messages of chunked(writes.messages)) {
      const which = messages.length === 1 ? `Message-ID ${messages[0]!.messageId}` : `one of ${messages.length} Message-IDs`;
      await insertOrRetry(m, TicketMessage, messages, `${which} is being recorded concurrently`);
    }
    for (const rows of chunked(writes.referencesInKeyOrder())) {
      await insertOrRetry(m, ThreadReference, rows, `a Message-ID of this thread was claimed concurrently`);
    }
    for (const rows of chunked(writes.unattached)) await m.createQueryBuilder().insert().into(UnattachedMail).values(rows).orIgnore().execute();
    for (const events of chunked(writes.events)) await this.outbox.add(m, ...events);
  }

  private logOutcome({ projectId, messageId, classification }: PreparedMail, result: InboundOutcome): void {
    if (result.outcome === 'recorded') {
      const how = result.decision.action === 'join' ? `joined by ${result.decision.rule}` : 'new ticket';
      // One line per mail of a batch: the ticket goes on this line only.
      logContext.run({ ticketId: result.ticketId }, () =>
        this.logger.log(`${messageId} in ${projectId} → ticket ${result.ticketId} (${how}${result.bounced ? ', marks our reply' : ''})`),
      );
    } else if (result.outcome === 'unattached') {
      this.logger.log(`${messageId} in ${projectId} (${classification.kind}) kept without a ticket: ${result.reason}`);
    }
  }
}

/** Each project's mails in their order; projects in the order their first mail came. */
function byProject(mails: readonly PreparedMail[]): Map<string, PreparedMail[]> {
  const groups = new Map<string, PreparedMail[]>();
  for (const mail of mails) {
    const group = groups.get(mail.projectId);
    if (group) group.push(mail);
    else groups.set(mail.projectId, [mail]);
  }
  return groups;
}

