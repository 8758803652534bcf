import type { ChannelSafety } from '@ensoras/contracts';

/** AI replies proposed within the channel's loop window. */
export interface RecentReplies {
  /** To this ticket. */
  ticket: number;
  /** To this customer address, over all its tickets; null when the address is not known. */
  address: number | null;
}

/**
 * Why the AI must not answer again, or null while it may. At the limit means no more: with a limit of 3 the AI
 * writes three replies in a window and hands the fourth over to a human. The per-address limit catches a responder
 * whose mails do not thread and so open a new ticket each time.
 */
export function loopLimitReached(
  recent: RecentReplies,
  safety: Pick<ChannelSafety, 'maxAiRepliesPerTicket' | 'maxAiRepliesPerAddress' | 'loopWindowMinutes'>,
  address: string,
): string | null {
  const window = `within ${safety.loopWindowMinutes} minute${safety.loopWindowMinutes === 1 ? '' : 's'}`;
  if (recent.ticket >= safety.maxAiRepliesPerTicket) {
    return `AI reply limit reached: ${recent.ticket} replies to this ticket ${window} (limit ${safety.maxAiRepliesPerTicket})`;
  }
  if (recent.address !== null && recent.address >= safety.maxAiRepliesPerAddress) {
    return `AI reply limit reached: ${recent.address} replies to ${address} ${window} (limit ${safety.maxAiRepliesPerAddress})`;
  }
  return null;
}
