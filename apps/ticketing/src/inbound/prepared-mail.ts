import { randomUUID } from 'node:crypto';
import {
  channelSafetyOf,
  type BounceDetails,
  type ChannelSettingsSnapshot,
  type EventEnvelope,
  type MailAddress,
  type MailClassification,
  type MailReceivedPayload,
} from '@ensoras/contracts';
import { normalizeMessageId, parseMessageIdList, subjectThreadKey } from '@ensoras/mail';
import type { TicketMessage } from '../tickets/ticket-message.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { subjectThreadHash } from '../tickets/subject-thread-hash.js';
import type { UnattachedMail } from '../unattached/unattached-mail.entity.js';
import { customerOf } from './customer-address.js';
import { receivedMailNote } from './message-note.js';
import { trustedClassification } from './own-mail.js';
import { threadingReferences, type ThreadingMail } from './thread-decision.js';

/** A received mail with everything worked out that needs no query, so a batch decides all of its mails on few reads. */
export interface PreparedMail {
  /** Its index among the envelopes handled together. */
  position: number;
  projectId: string;
  mail: MailReceivedPayload;
  /** Normalised. */
  messageId: string;
  customer: MailAddress;
  classification: MailClassification;
  bounce: BounceDetails | null;
  threading: ThreadingMail;
  /** The Message-IDs the mail carries and names: what it claims in the threading index for its ticket. */
  namedIds: string[];
  /** What its subject candidates are looked up by; null when the subject rule cannot apply. */
  candidateHash: string | null;
  note: string | null;
  /** From a mailbox's history: the events it causes go to their consumers' backlog lanes too. */
  backlog: boolean;
}

/** The mail's Message-ID, normalised; null when it has no usable one. */
export function messageIdOf(envelope: EventEnvelope<MailReceivedPayload>): string | null {
  return normalizeMessageId(envelope.payload?.messageId);
}

export function prepareMail(
  position: number,
  envelope: EventEnvelope<MailReceivedPayload>,
  messageId: string,
  channel: ChannelSettingsSnapshot | undefined,
): PreparedMail {
  const { projectId, payload: mail } = envelope;
  const customer = customerOf(mail);
  const classification = trustedClassification(mail.classification, messageId, channel?.identity?.fromEmail);
  const bounce = classification.kind === 'bounce' ? (mail.bounce ?? null) : null;
  const threading: ThreadingMail = {
    messageId,
    inReplyTo: normalizeMessageId(mail.inReplyTo),
    references: threadingReferences(parseMessageIdList(mail.references).filter((id) => id !== messageId)),
    subject: mail.subject ?? '',
    customerAddress: customer.address,
    kind: classification.kind,
    bouncedMessageId: normalizeMessageId(bounce?.originalMessageId),
  };
  return {
    position,
    projectId,
    mail,
    messageId,
    customer,
    classification,
    bounce,
    threading,
    namedIds: unique([messageId, threading.inReplyTo, ...threading.references]),
    backlog: envelope.backlog === true,
    // Without an address there is no customer to match tickets of.
    candidateHash: customer.address === '' ? null : subjectThreadHash(customer.address, subjectThreadKey(threading.subject)),
    // Only for the note's wording; the decision that a mail is oversized was mail-ingest's.
    note: receivedMailNote(
      { size: mail.size, oversized: mail.oversized === true, truncated: mail.truncated === true },
      channelSafetyOf(channel).maxMessageSizeMb,
    ),
  };
}

export function receivedMessage({ projectId, mail, messageId, classification, threading, note }: PreparedMail, ticket: Ticket, now: Date): TicketMessage {
  const text = mail.text ?? '';
  return {
    id: randomUUID(),
    ticketId: ticket.id,
    projectId,
    direction: 'inbound',
    // Mail from the channel's own address that we did not send: a person answering from the mailbox itself.
    author: classification.kind === 'own' ? 'agent' : 'customer',
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
    kind: classification.kind,
    kindReasons: classification.reasons,
    responseId: null,
    rawObjectKey: mail.rawObjectKey ?? null,
    sources: [],
    createdAt: now,
  };
}

export function unattachedMail({ projectId, mail, messageId, classification, bounce }: PreparedMail, reason: string, now: Date): UnattachedMail {
  return {
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
    createdAt: now,
  };
}

export function unique<T extends string>(ids: ReadonlyArray<T | null>): T[] {
  return [...new Set(ids.filter((id): id is T => id !== null))];
}

/** The Date header as a time, or null when it is missing or unreadable. */
function writtenAt(date: string | null | undefined): Date | null {
  const time = date ? new Date(date) : null;
  return time && !Number.isNaN(time.getTime()) ? time : null;
}
