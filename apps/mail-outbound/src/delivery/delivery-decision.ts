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
  | { action: 'send'; interrupted?: true }
  /**
   * It could be sent, but not now: the project's SMTP is paused, or an earlier reply of its ticket is parked. Park it
   * (`held`, with its request) for ParkedReplies, which sends it in turn.
   */
  | { action: 'hold'; interrupted?: true }
  /** Parked already and not due (or asked by a send request, which leaves parked mail to ParkedReplies): nothing now. */
  | { action: 'leave-parked' };

export interface DeliveryState {
  status: DeliveryStatus;
  claimedAt: Date | null;
  /** When the current attempt finished writing the mail, just before the dot that ends DATA; null before that. */
  handedOverAt: Date | null;
  /** A held mail is not tried again before this; null: as soon as it may. */
  retryAt?: Date | null;
}

/** What else decides whether a mail goes out now. */
export interface DeliveryContext {
  /** Who asks: a send request from JetStream, or ParkedReplies for a parked mail that may be due. */
  via: 'request' | 'parked';
  /** The project's SMTP is paused at the current revision of its settings (logins were rejected). */
  smtpPaused: boolean;
  /** Another reply of the same ticket is parked: this one queues among them (in ticket order), never overtakes them. */
  ticketParked: boolean;
}

const FROM_REQUEST: DeliveryContext = { via: 'request', smtpPaused: false, ticketParked: false };

/**
 * The core of "a crash must neither send twice nor lose the answer": a row found in `sending` after the lease ran out
 * belongs to an attempt that died between taking the send and settling it. If it died before the end of DATA (no
 * hand-over recorded), the server kept nothing and the mail is sent again. If it died after, the server may have
 * accepted the mail, so sending again could duplicate it; we never do, and report it as failed (delivery_uncertain).
 * That window is the server's answer to the dot plus one database write: milliseconds.
 */
export function decideDelivery(state: DeliveryState, now: Date, context: DeliveryContext = FROM_REQUEST): DeliveryDecision {
  // Held back, not failed: nothing is lost while the project cannot log in, and a ticket's replies keep their order.
  const mayGoNow = !context.smtpPaused && !context.ticketParked;
  switch (state.status) {
    case 'sent':
      return { action: 'republish-sent' };
    case 'failed':
      return { action: 'republish-failed' };
    case 'sending': {
      const claimedAt = state.claimedAt?.getTime();
      if (claimedAt !== undefined && now.getTime() - claimedAt < SEND_LEASE_MS) return { action: 'wait-for-other-attempt' };
      if (state.handedOverAt !== null || claimedAt === undefined) return { action: 'give-up-uncertain' };
      return mayGoNow ? { action: 'send', interrupted: true } : { action: 'hold', interrupted: true };
    }
    case 'held': {
      // A request that comes back (a redelivery, a replay) leaves it to ParkedReplies, which keeps the ticket's order.
      if (context.via === 'request' || !mayGoNow) return { action: 'leave-parked' };
      return state.retryAt && state.retryAt.getTime() > now.getTime() ? { action: 'leave-parked' } : { action: 'send' };
    }
    case 'queued':
    case 'retrying':
      return mayGoNow ? { action: 'send' } : { action: 'hold' };
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

/**
 * The same for a parked mail, which ParkedReplies tries (no JetStream delivery count): the attempts that reached the
 * server with accepted credentials, or failed before, count; those whose login was rejected do not.
 */
export function isLastParkedAttempt(attempts: number, authFailures: number): boolean {
  return attempts - authFailures >= MAX_SEND_ATTEMPTS;
}

/** When a parked mail whose try failed is tried again: 1, 5, 30 s, then every 2 minutes (JetStream's own back-off). */
export function parkedRetryDelayMs(failedTries: number): number {
  const delays = [1_000, 5_000, 30_000, 120_000];
  return delays[Math.min(Math.max(failedTries, 1), delays.length) - 1]!;
}
