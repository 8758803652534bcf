import type { MailAddress, MailReceivedPayload } from '@ensoras/contracts';
import { canonicalAddress } from '@ensoras/mail';

/** Who the ticket is with: the Reply-To the customer asked for, else the sender. Address lower-cased. */
export function customerOf(mail: Pick<MailReceivedPayload, 'from' | 'replyTo'>): MailAddress {
  const replyTo = (mail.replyTo ?? []).find((candidate) => canonicalAddress(candidate.address) !== '');
  const chosen = replyTo ?? mail.from;
  return {
    address: canonicalAddress(chosen?.address),
    // A bare Reply-To address has no name; the sender's is the best we know.
    name: (chosen?.name || mail.from?.name || '').trim(),
  };
}
