import type { MailClassification } from '@ensoras/contracts';
import { domainOf, isGeneratedMessageIdOn } from '@ensoras/mail';

/**
 * The classification ticketing trusts. Mail-ingest takes a mail From the channel's address for ours when its
 * Message-ID has the form of the ids we generate, but anyone can write such an id. Every id we really used was
 * recorded before its mail was sent, so a copy of our own mail is a duplicate before this is asked: an `own` mail
 * with our id form that gets here is a forgery. It becomes a normal (unverified) mail of the customer it claims to
 * answer, never an agent's message, and the AI does not answer mail from the channel's own address.
 */
export function trustedClassification(
  classification: MailClassification | undefined,
  messageId: string,
  channelFromEmail: string | null | undefined,
): MailClassification {
  const claimed = classification ?? { kind: 'normal', reasons: [] };
  const ourDomain = channelFromEmail ? domainOf(channelFromEmail) : '';
  if (claimed.kind !== 'own' || !isGeneratedMessageIdOn(messageId, ourDomain)) return claimed;
  return {
    kind: 'normal',
    reasons: [...claimed.reasons, `Message-ID ${messageId} has our form but is not one we sent: forged, treated as unverified`],
  };
}
