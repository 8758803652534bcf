import type { MailKind, TicketStatus } from '@ensoras/contracts';
import { hasForwardPrefix, hasReplyPrefix, sameAddress, subjectThreadKey } from '@ensoras/mail';
import { rootAndLast } from '../tickets/reference-chain.js';

/** What threading needs to know about the mail that arrived. */
export interface ThreadingMail {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** Reply-To, else From; '' when the mail named neither. */
  customerAddress: string;
  kind: MailKind;
  /** For a bounce: the Message-ID of the mail it reports on, when the report names one. */
  bouncedMessageId: string | null;
}

/**
 * References ids kept for threading and stored with the message: the thread's root and the 50 nearest ancestors.
 * Threading looks at the nearest first, so nothing it would find is lost; a mail naming thousands of ids (16,400
 * made a query with more than the 65,535 parameters PostgreSQL binds) costs a few rows. The raw mail keeps all.
 */
export const MAX_TRAILING_REFERENCES = 50;

export function threadingReferences(ids: readonly string[]): string[] {
  return rootAndLast(ids, MAX_TRAILING_REFERENCES);
}

/** Mail written by machines: it never opens a ticket, never reopens one, and is never answered. */
export const MACHINE_KINDS: ReadonlySet<MailKind> = new Set(['auto-reply', 'out-of-office', 'bounce', 'feedback-report', 'read-receipt']);

export function isMachineKind(kind: MailKind): boolean {
  return MACHINE_KINDS.has(kind);
}

/** An entry of the threading index: this Message-ID belongs to (or is named by) that ticket. */
export interface KnownReference {
  messageId: string;
  ticketId: string;
}

/** A ticket that may continue by subject. */
export interface SubjectCandidate {
  ticketId: string;
  customerAddress: string;
  subjectKey: string | null;
  status: TicketStatus;
  updatedAt: Date;
}

export type ThreadRule = 'bounced-message' | 'in-reply-to' | 'references' | 'referenced-by' | 'subject';

export type ThreadDecision =
  | { action: 'join'; ticketId: string; rule: ThreadRule }
  | { action: 'create' }
  /** No ticket: the mail is kept as unattached (our own mail, or machine mail about nothing we know). */
  | { action: 'unattached'; reason: string };

/**
 * Which ticket a received mail belongs to, in the order the product promises:
 * 0. a bounce joins the ticket of the mail that bounced, when that Message-ID is known;
 * 1. its In-Reply-To, else its References (nearest ancestor first), name a Message-ID known in the project;
 *    failing that, a known message names this mail's own Message-ID (it arrived after its reply);
 * 2. its subject carries a reply (or forward) prefix and, normalised, equals the subject of a not-closed ticket of the
 *    same customer address: the most recently updated one;
 * 3. a new ticket, except for our own mail and machine mail, which never open one.
 */
export function decideThread(
  mail: ThreadingMail,
  known: readonly KnownReference[],
  candidates: readonly SubjectCandidate[],
): ThreadDecision {
  const ticketOf = new Map(known.map((reference) => [reference.messageId, reference.ticketId]));

  // A DSN rarely carries In-Reply-To; the Message-ID it reports on is the link that counts.
  if (mail.kind === 'bounce' && mail.bouncedMessageId !== null && ticketOf.has(mail.bouncedMessageId)) {
    return { action: 'join', ticketId: ticketOf.get(mail.bouncedMessageId)!, rule: 'bounced-message' };
  }

  if (mail.inReplyTo !== null && ticketOf.has(mail.inReplyTo)) {
    return { action: 'join', ticketId: ticketOf.get(mail.inReplyTo)!, rule: 'in-reply-to' };
  }
  // The last id of References is the direct parent, the first the thread's root.
  for (const id of [...mail.references].reverse()) {
    const ticketId = ticketOf.get(id);
    if (ticketId) return { action: 'join', ticketId, rule: 'references' };
  }
  const referencedBy = ticketOf.get(mail.messageId);
  if (referencedBy) return { action: 'join', ticketId: referencedBy, rule: 'referenced-by' };

  const bySubject = subjectMatch(mail, candidates);
  if (bySubject) return { action: 'join', ticketId: bySubject.ticketId, rule: 'subject' };

  if (mail.kind === 'own') return { action: 'unattached', reason: 'own mail that continues no known ticket' };
  if (isMachineKind(mail.kind)) return { action: 'unattached', reason: `${mail.kind} that continues no known ticket` };
  return { action: 'create' };
}

function subjectMatch(mail: ThreadingMail, candidates: readonly SubjectCandidate[]): SubjectCandidate | undefined {
  if (!hasReplyPrefix(mail.subject) && !hasForwardPrefix(mail.subject)) return undefined;
  const key = subjectThreadKey(mail.subject);
  if (key === null) return undefined;
  return candidates
    .filter((c) => c.subjectKey === key && c.status !== 'closed' && sameAddress(c.customerAddress, mail.customerAddress))
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
}
