import type { ChannelSettingsSnapshot, TicketMessageView } from '@ensoras/contracts';
import { sameAddress } from '@ensoras/mail';

export type AnswerDecision = { answer: true } | { answer: false; reason: string };

/**
 * Whether a ticket message gets an AI reply: only a customer's own mail, arriving on an enabled channel. Machines
 * (auto-replies, bounces, lists) and our own address are never answered, so two robots never argue in a loop.
 */
export function decideAnswer(message: TicketMessageView, settings: ChannelSettingsSnapshot | undefined): AnswerDecision {
  if (message.direction !== 'inbound' || message.author !== 'customer') {
    return { answer: false, reason: `${message.direction} message by ${message.author}` };
  }
  // Normal mail only: auto-replies, bounces, reports, lists and our own mail are recorded, never answered.
  const kind = message.kind ?? 'normal';
  if (kind !== 'normal') return { answer: false, reason: `classified as ${kind}` };
  if (!settings) return { answer: false, reason: 'the project has no channel settings' };
  if (!settings.enabled) return { answer: false, reason: 'the email channel is disabled' };
  const from = message.from?.address;
  const own = [settings.identity?.fromEmail, settings.imap?.username, settings.smtp?.username].find((address) =>
    sameAddress(address, from),
  );
  if (own !== undefined) return { answer: false, reason: `sent from the channel's own address ${own}` };
  return { answer: true };
}
