import { Any, type EntityManager } from 'typeorm';
import type { TicketStatus } from '@ensoras/contracts';
import { ThreadReference } from '../tickets/thread-reference.entity.js';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { UnattachedMail } from '../unattached/unattached-mail.entity.js';
import { KnownReferences, SUBJECT_CANDIDATE_LIMIT, SubjectCandidates, type HashedCandidate } from './inbound-batch.js';
import { unique, type PreparedMail } from './prepared-mail.js';

/*
 * The reads of a batch of received mail, one query each for all of its mails of one project. `= ANY($n)` binds a
 * list as one parameter, however many mails and References ids the batch names.
 */

/** Those of the Message-IDs that are stored already, as a ticket message or as unattached mail. */
export async function storedMessageIds(m: EntityManager, projectId: string, messageIds: readonly string[]): Promise<Set<string>> {
  const where = { projectId, messageId: Any(unique(messageIds)) };
  const messages = await m.find(TicketMessage, { select: { messageId: true }, where });
  const unattached = await m.find(UnattachedMail, { select: { messageId: true }, where });
  return new Set([...messages, ...unattached].map((row) => row.messageId));
}

/** The threading index entries of every id the mails carry, name or report as bounced. */
export async function knownReferences(m: EntityManager, projectId: string, mails: readonly PreparedMail[]): Promise<KnownReferences> {
  const ids = unique(mails.flatMap((mail) => [...mail.namedIds, mail.threading.bouncedMessageId]));
  return new KnownReferences(await m.find(ThreadReference, { where: { projectId, messageId: Any(ids) } }));
}

/**
 * For each mail's subject hash, the SUBJECT_CANDIDATE_LIMIT most recently updated tickets that are not closed: what
 * one query per mail returned, for all of them in one.
 */
export async function subjectCandidates(m: EntityManager, projectId: string, mails: readonly PreparedMail[]): Promise<SubjectCandidates> {
  const hashes = unique(mails.map((mail) => mail.candidateHash));
  if (hashes.length === 0) return new SubjectCandidates([]);
  const { schema, tableName } = m.connection.getMetadata(Ticket);
  const rows = await m.query<CandidateRow[]>(
    `SELECT "id", "customer_address", "subject_key", "status", "updated_at", "subject_thread_hash"
       FROM (SELECT "id", "customer_address", "subject_key", "status", "updated_at", "subject_thread_hash",
                    ROW_NUMBER() OVER (PARTITION BY "subject_thread_hash" ORDER BY "updated_at" DESC) AS "newness"
               FROM "${schema}"."${tableName}"
              WHERE "project_id" = $1 AND "subject_thread_hash" = ANY($2) AND "status" <> 'closed') AS "ranked"
      WHERE "newness" <= $3`,
    [projectId, hashes, SUBJECT_CANDIDATE_LIMIT],
  );
  return new SubjectCandidates(rows.map(toCandidate));
}

interface CandidateRow {
  id: string;
  customer_address: string;
  subject_key: string | null;
  status: TicketStatus;
  updated_at: Date | string;
  subject_thread_hash: string;
}

function toCandidate(row: CandidateRow): HashedCandidate {
  return {
    ticketId: row.id,
    customerAddress: row.customer_address,
    subjectKey: row.subject_key,
    status: row.status,
    updatedAt: new Date(row.updated_at),
    subjectThreadHash: row.subject_thread_hash,
  };
}
