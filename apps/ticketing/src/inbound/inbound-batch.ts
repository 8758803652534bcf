import type { EventEnvelope } from '@ensoras/contracts';
import type { ThreadReference } from '../tickets/thread-reference.entity.js';
import type { TicketMessage } from '../tickets/ticket-message.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import type { UnattachedMail } from '../unattached/unattached-mail.entity.js';
import type { KnownReference, SubjectCandidate } from './thread-decision.js';

/**
 * What a batch of received mail knows between its reads at the start and its writes at the end, kept up to date
 * mail by mail, so that each mail is decided as if the mails before it had been committed one by one.
 */

/** How many tickets of one customer with one subject are worth looking at; the newest wins anyway. */
export const SUBJECT_CANDIDATE_LIMIT = 5;

/**
 * Rows per INSERT: PostgreSQL binds at most 65,535 parameters per statement, and 500 rows of the widest row written
 * here (a ticket message, 26 columns) bind 13,000.
 */
export const ROWS_PER_STATEMENT = 500;

/** The threading index of one project: the stored entries, and those claimed by earlier mails of the batch. */
export class KnownReferences {
  private readonly ticketOf = new Map<string, string>();

  constructor(stored: readonly KnownReference[]) {
    for (const { messageId, ticketId } of stored) this.ticketOf.set(messageId, ticketId);
  }

  /** The entries for these ids, as decideThread takes them. */
  among(ids: readonly string[]): KnownReference[] {
    return ids.flatMap((messageId) => {
      const ticketId = this.ticketOf.get(messageId);
      return ticketId === undefined ? [] : [{ messageId, ticketId }];
    });
  }

  /** Points the ids nobody claimed yet at the ticket and returns them: the rows this batch must insert. */
  claim(ids: readonly string[], ticketId: string): string[] {
    const claimed = ids.filter((id) => !this.ticketOf.has(id));
    for (const id of claimed) this.ticketOf.set(id, ticketId);
    return claimed;
  }
}

export interface HashedCandidate extends SubjectCandidate {
  subjectThreadHash: string;
}

/**
 * The subject rule's candidates of one project per subjectThreadHash, as the per-mail query would return them: the
 * SUBJECT_CANDIDATE_LIMIT newest tickets that are not closed.
 */
export class SubjectCandidates {
  private readonly byHash = new Map<string, SubjectCandidate[]>();

  constructor(stored: readonly HashedCandidate[]) {
    for (const { subjectThreadHash, ...candidate } of stored) this.listOf(subjectThreadHash).push(candidate);
    for (const list of this.byHash.values()) newestFirst(list);
  }

  of(hash: string | null): SubjectCandidate[] {
    return hash === null ? [] : [...(this.byHash.get(hash) ?? [])];
  }

  /** A ticket a mail of the batch created or continued: its new updatedAt (and status) moves it among its hash's. */
  touch(ticket: Pick<Ticket, 'id' | 'customerAddress' | 'subjectKey' | 'subjectThreadHash' | 'status' | 'updatedAt'>): void {
    if (ticket.subjectThreadHash === null) return;
    const list = this.listOf(ticket.subjectThreadHash).filter((candidate) => candidate.ticketId !== ticket.id);
    if (ticket.status !== 'closed') {
      list.unshift({ ticketId: ticket.id, customerAddress: ticket.customerAddress, subjectKey: ticket.subjectKey, status: ticket.status, updatedAt: ticket.updatedAt });
    }
    this.byHash.set(ticket.subjectThreadHash, newestFirst(list).slice(0, SUBJECT_CANDIDATE_LIMIT));
  }

  private listOf(hash: string): SubjectCandidate[] {
    let list = this.byHash.get(hash);
    if (!list) this.byHash.set(hash, (list = []));
    return list;
  }
}

/** Stable, so that of two equal times the one just touched (put in front) counts as the newer. */
function newestFirst(list: SubjectCandidate[]): SubjectCandidate[] {
  return list.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
}

type PendingReference = Pick<ThreadReference, 'projectId' | 'messageId' | 'ticketId' | 'createdAt'>;

/**
 * The rows a batch writes once all of its mails are decided, and the tickets it has read or created. A ticket is
 * written once, in its final state: inserted when the batch created it, else updated.
 */
export class PendingWrites {
  private readonly tickets = new Map<string, { ticket: Ticket; created: boolean; changed: boolean }>();
  readonly messages: TicketMessage[] = [];
  private readonly references: PendingReference[] = [];
  readonly unattached: UnattachedMail[] = [];
  readonly events: EventEnvelope[] = [];

  ticket(id: string): Ticket | undefined {
    return this.tickets.get(id)?.ticket;
  }

  created(ticket: Ticket): void {
    this.tickets.set(ticket.id, { ticket, created: true, changed: false });
  }

  /** A stored ticket read (and locked) by this transaction. */
  loaded(ticket: Ticket): void {
    this.tickets.set(ticket.id, { ticket, created: false, changed: false });
  }

  changed(ticket: Ticket): void {
    const entry = this.tickets.get(ticket.id);
    if (!entry) throw new Error(`ticket ${ticket.id} changed before it was loaded`);
    entry.changed = true;
  }

  /** In the order the batch created them. */
  createdTickets(): Ticket[] {
    return [...this.tickets.values()].filter((entry) => entry.created).map((entry) => entry.ticket);
  }

  changedStoredTickets(): Ticket[] {
    return [...this.tickets.values()].filter((entry) => !entry.created && entry.changed).map((entry) => entry.ticket);
  }

  reference(row: PendingReference): void {
    this.references.push(row);
  }

  /**
   * Sorted by key across the whole batch, so that two transactions claiming overlapping ids take the key locks in the
   * same order and one waits for the other instead of deadlocking.
   */
  referencesInKeyOrder(): PendingReference[] {
    return [...this.references].sort((a, b) => compare(a.projectId, b.projectId) || compare(a.messageId, b.messageId));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function chunked<T>(rows: readonly T[], size: number = ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}
