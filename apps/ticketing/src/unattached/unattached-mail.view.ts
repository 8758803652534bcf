import type { BounceDetails, MailAddress, MailKind } from '@ensoras/contracts';
import type { UnattachedMail } from './unattached-mail.entity.js';

/** A received mail that opened no ticket, as the admin API lists it. */
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

export function toUnattachedMailView(mail: UnattachedMail): UnattachedMailView {
  return {
    id: mail.id,
    messageId: mail.messageId,
    kind: mail.kind,
    kindReasons: mail.kindReasons,
    reason: mail.reason,
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    bounce: mail.bounce,
    rawObjectKey: mail.rawObjectKey,
    receivedAt: mail.createdAt.toISOString(),
  };
}
