import { aiModeOf, type ChannelSettingsSnapshot, type TicketMessageView } from '@ensoras/contracts';
import { sameAddress } from '@ensoras/mail';

export interface AnswerPolicy {
  /** Mail written longer ago is not answered; 0 for no limit. */
  maxAgeHours: number;
}

export const ANSWER_POLICY = Symbol('ANSWER_POLICY');

/** `handOff`: not for the AI, and a person must look (not merely a mail that needs no answer). */
export type AnswerDecision = { answer: true } | { answer: false; reason: string; handOff?: true };

/**
 * Whether a ticket message gets an AI reply: only a customer's own, recent mail, arriving on an enabled channel.
 * Machines (auto-replies, bounces, lists) and our own address are never answered, so two robots never argue in a
 * loop; the mailbox's history (what it held when the channel was enabled, `fromHistory`: the event's backlog mark)
 * and old mail are left to people, who may have answered it from their mail client long ago.
 */
export function decideAnswer(
  message: TicketMessageView,
  settings: ChannelSettingsSnapshot | undefined,
  policy: AnswerPolicy = { maxAgeHours: 0 },
  now: Date = new Date(),
  fromHistory = false,
): AnswerDecision {
  if (message.direction !== 'inbound' || message.author !== 'customer') {
    return { answer: false, reason: `${message.direction} message by ${message.author}` };
  }
  // Normal mail only: auto-replies, bounces, reports, lists and our own mail are recorded, never answered.
  const kind = message.kind ?? 'normal';
  if (kind !== 'normal') return { answer: false, reason: `classified as ${kind}` };
  if (!settings) return { answer: false, reason: 'the project has no channel settings' };
  if (!settings.enabled) return { answer: false, reason: 'the email channel is disabled' };
  if (aiModeOf(settings) === 'off') return { answer: false, reason: "the channel's AI mode is off" };
  const from = message.from?.address;
  const own = [settings.identity?.fromEmail, settings.imap?.username, settings.smtp?.username].find((address) =>
    sameAddress(address, from),
  );
  // Mail we sent ourselves is the agent's or ours by now; a customer message From our address is one nobody could
  // verify as ours (a forgery, or a person writing from the mailbox): never answered, and a person is told.
  if (own !== undefined) {
    return { answer: false, reason: `mail From the channel's own address ${own} that could not be verified as ours`, handOff: true };
  }
  if (fromHistory) return { answer: false, reason: "imported from the mailbox's history when the channel was enabled" };
  const ageHours = message.date ? (now.getTime() - Date.parse(message.date)) / 3_600_000 : 0;
  if (policy.maxAgeHours > 0 && ageHours > policy.maxAgeHours) {
    return { answer: false, reason: `written ${Math.floor(ageHours)} h ago, older than ${policy.maxAgeHours} h: mailbox history` };
  }
  return { answer: true };
}
