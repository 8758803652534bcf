import type { UnattachedMailView } from '@ensoras/contracts';
import type { UnattachedMail } from './unattached-mail.entity.js';

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
