import { defineEvent } from '../events/envelope.js';

export interface MailAddress {
  address: string;
  name: string;
}

export interface AttachmentMeta {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export const MAIL_KINDS = [
  'normal',
  'auto-reply',
  'out-of-office',
  'bounce',
  'feedback-report',
  'read-receipt',
  'mailing-list',
  'own',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface MailClassification {
  kind: MailKind;
  /** Each rule that fired, e.g. `Auto-Submitted: auto-replied`. */
  reasons: string[];
}

export interface MailReceivedPayload {
  /** Where it came from; (projectId, uidValidity, uid) identifies the import. */
  source: { mailbox: string; uidValidity: string; uid: number };
  /** Key of the raw RFC 5322 bytes in the `raw-mail` object store. */
  rawObjectKey: string;
  size: number;
  /** Angle-bracketed Message-ID; generated from a hash of the raw bytes when the mail had none. */
  messageId: string;
  messageIdGenerated: boolean;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  date: string | null;
  /** Loop-relevant headers, lower-case names: auto-submitted, precedence, x-autoreply, return-path ... */
  headers: Record<string, string>;
  text: string;
  html: string | null;
  /** Set when text or html was cut to keep the event under the broker's size limit. */
  truncated: boolean;
  attachments: AttachmentMeta[];
  classification: MailClassification;
}

export interface MailSendRequestedPayload {
  outboundMessageId: string;
  ticketId: string;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** The Message-ID ticketing recorded; the mail must carry exactly this one. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /** The reply itself; mail-outbound appends the channel's signature. */
  text: string;
  html: string | null;
}

export interface MailSentPayload {
  outboundMessageId: string;
  ticketId: string;
  messageId: string;
  sentAt: string;
  smtpResponse: string;
}

export interface MailFailedPayload {
  outboundMessageId: string;
  ticketId: string;
  messageId: string;
  code: string;
  reason: string;
  /** False when a later attempt may still succeed. */
  permanent: boolean;
}

export const MailReceived = defineEvent<MailReceivedPayload>('mail', 'received');
export const MailSendRequested = defineEvent<MailSendRequestedPayload>('mail', 'send.requested');
export const MailSent = defineEvent<MailSentPayload>('mail', 'sent');
export const MailFailed = defineEvent<MailFailedPayload>('mail', 'failed');
