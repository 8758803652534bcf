import type { DeliveryStatus } from './delivery.entity.js';

/** SMTP transactions a mail gets; the JetStream transport also gives up on an event after 5 deliveries. */
export const MAX_SEND_ATTEMPTS = 5;

/**
 * How long a `sending` row counts as a send in progress elsewhere (another replica, or a redelivery that overtook a
 * slow send). Longer than one SMTP transaction can take with our timeouts, and shorter than the time JetStream needs
 * to bring a crashed attempt's event back (ack wait 60 s) plus its retries (1 + 5 + 30 + 120 s), so a crash is
 * recognised before the event runs out of attempts.
 */
export const SEND_LEASE_MS = 90_000;

export type DeliveryDecision =
  /** Already delivered: tell ticketing again, send nothing. */
  | { action: 'republish-sent' }
  /** Already given up: tell ticketing again, send nothing. */
  | { action: 'republish-failed' }
  /** Another attempt is in the middle of the SMTP transaction: come back later. */
  | { action: 'wait-for-other-attempt' }
  /** An attempt handed the whole mail to the server and never settled it: it may or may not have been delivered. */
  | { action: 'give-up-uncertain' }
  /**
   * Nobody has sent it, the last try failed transiently, or an attempt died before the end of DATA (`interrupted`:
   * the server discarded that transaction): take it.
   */
  | { action: 'send'; interrupted?: true };

export interface DeliveryState {
  status: DeliveryStatus;
  claimedAt: Date | null;
  /** When the current attempt finished writing the mail, just before the dot that ends DATA; null before that. */
  handedOverAt: Date | null;
}

/**
 * The core of "a crash must neither send twice nor lose the answer": a row found in `sending` after the lease ran out
 * belongs to an attempt that died between taking the send and settling it. If it died before the end of DATA (no
 * hand-over recorded), the server kept nothing and the mail is sent again. If it died after, the server may have
 * accepted the mail, so sending again could duplicate it; we never do, and report it as failed (delivery_uncertain).
 * That window is the server's answer to the dot plus one database write: milliseconds.
 */
export function decideDelivery(state: DeliveryState, now: Date): DeliveryDecision {
  switch (state.status) {
    case 'sent':
      return { action: 'republish-sent' };
    case 'failed':
      return { action: 'republish-failed' };
    case 'sending': {
      const claimedAt = state.claimedAt?.getTime();
      if (claimedAt !== undefined && now.getTime() - claimedAt < SEND_LEASE_MS) return { action: 'wait-for-other-attempt' };
      return state.handedOverAt === null && claimedAt !== undefined ? { action: 'send', interrupted: true } : { action: 'give-up-uncertain' };
    }
    case 'queued':
    case 'retrying':
      return { action: 'send' };
  }
}

/**
 * Whether a transient failure of this attempt is the end: our own count of SMTP transactions, or the event's delivery
 * count when that is higher (it is when earlier deliveries failed before reaching SMTP). Past this point a throw would
 * only dead-letter the event, so the mail is reported failed instead.
 */
export function isLastAttempt(attempt: number, deliveryCount: number): boolean {
  return Math.max(attempt, deliveryCount) >= MAX_SEND_ATTEMPTS;
}
