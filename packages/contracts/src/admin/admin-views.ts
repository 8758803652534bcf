import type { ChangeActor } from '../access/api-scopes.js';
import type { BounceDetails, MailAddress, MailKind } from '../mail/mail-events.js';

/*
 * What the admin routes of single services answer, for whoever shows them (the console): views, not events. Each
 * service builds them from its own tables.
 */

/** The kinds of change channel-config's audit log records. */
export const AUDIT_ACTIONS = [
  'configuration.updated',
  'email_channel.configured',
  'email_channel.updated',
  'email_channel.enabled',
  'email_channel.disabled',
  /** Passwords sealed again under the current SECRETS_KEY (rotation or upgrade); their values did not change. */
  'email_channel.passwords_resealed',
  /** POST …/channels/email/resume: a new revision for the paused directions, which log in again with it. */
  'email_channel.resumed',
  /** An OAuth grant was stored (the consent's callback) or removed; `changedFields` names `oauth.<provider>`. */
  'email_channel.oauth_connected',
  'email_channel.oauth_disconnected',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change of a project's settings (GET …/channels/email/audit): which settings changed, never their values. */
export interface AuditEntryView {
  id: string;
  action: AuditAction;
  /** Dotted paths such as `imap.port` or `imap.password`. */
  changedFields: string[];
  revision: number;
  at: string;
  /**
   * Who made it. Entries from before actors were recorded name the admin (the only token then), or the system for
   * re-sealed passwords.
   */
  actor: ChangeActor;
}

/** A mail mail-ingest could not take (GET …/quarantine), kept with why. */
export interface QuarantineEntryView {
  /** `<uidValidity>-<uid>`: what the retry route takes. */
  id: string;
  uidValidity: string;
  uid: number;
  reason: string;
  rawObjectKey: string;
  createdAt: string;
}

/** A received mail that opened no ticket, as ticketing lists it (GET …/unattached-mail). */
export interface UnattachedMailView {
  id: string;
  messageId: string;
  kind: MailKind;
  kindReasons: string[];
  /** Why it belongs to no ticket. */
  reason: string;
  from: MailAddress | null;
  to: MailAddress[];
  subject: string;
  text: string;
  bounce: BounceDetails | null;
  /** Key of the raw mail in the `raw-mail` object store. */
  rawObjectKey: string | null;
  receivedAt: string;
}

export interface UnattachedMailPage {
  items: UnattachedMailView[];
  nextCursor: string | null;
}
