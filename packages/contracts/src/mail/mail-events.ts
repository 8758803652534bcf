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

/** What a delivery-status notification says about the mail it reports on. */
export interface BounceDetails {
  /** Message-ID of the mail that bounced (from the returned message or its headers), when the report carries it. */
  originalMessageId: string | null;
  recipient: string | null;
  /** RFC 3463 status, e.g. `5.1.1`. */
  status: string | null;
  /** `failed` ends delivery; `delayed` is a warning, the server still tries. */
  action: 'failed' | 'delayed' | null;
  diagnostic: string | null;
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
  /** The new part of a reply, without quoted history and signature; equals `text` when nothing was quoted. */
  newText: string;
  /** Sanitised HTML; `cid:` images point at `ensoras-attachment:<index>` (the index into `attachments`). */
  html: string | null;
  /** Set when text or html was cut to keep the event under the broker's size limit. */
  truncated: boolean;
  /** Over the channel's size limit: the message is kept raw, but its attachments are not listed or served. */
  oversized: boolean;
  attachments: AttachmentMeta[];
  classification: MailClassification;
  /** Set for kind `bounce`. */
  bounce: BounceDetails | null;
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
  /**
   * Who wrote it: only the AI's replies are automatic (RFC 3834 Auto-Submitted and the suppression headers); an
   * agent's reply is a person's mail. Absent in events written before the field existed: those were the AI's.
   */
  author?: 'ai' | 'agent';
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
