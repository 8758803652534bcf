import type { MailReceivedPayload } from '@ensoras/contracts';

/**
 * What an agent should know about a received mail that the text does not say: it was over the channel's size limit
 * (its attachments were not kept), or its body was cut to fit an event. Null when there is nothing to say.
 */
export function receivedMailNote(mail: Pick<MailReceivedPayload, 'size' | 'oversized' | 'truncated'>, maxMessageSizeMb: number): string | null {
  const notes: string[] = [];
  if (mail.oversized) {
    notes.push(
      `This mail is ${formatMegabytes(mail.size)}, over the channel's size limit of ${maxMessageSizeMb} MB: ` +
        'its attachments were not kept. The original is in the mailbox.',
    );
  }
  if (mail.truncated) notes.push('The mail was too long to show in full: its text was cut. The original is in the mailbox.');
  return notes.length > 0 ? notes.join(' ') : null;
}

function formatMegabytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return 'larger than allowed';
  const megabytes = bytes / (1024 * 1024);
  return `${megabytes >= 10 ? Math.round(megabytes) : megabytes.toFixed(1)} MB`;
}
