import { describe, expect, it } from 'vitest';
import { decideDelivery, isLastAttempt, isLastParkedAttempt, MAX_SEND_ATTEMPTS, parkedRetryDelayMs, SEND_LEASE_MS, type DeliveryContext } from './delivery-decision.js';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const request = (change: Partial<DeliveryContext> = {}): DeliveryContext => ({ via: 'request', smtpPaused: false, ticketParked: false, ...change });
const parked = (change: Partial<DeliveryContext> = {}): DeliveryContext => ({ via: 'parked', smtpPaused: false, ticketParked: false, ...change });

describe('decideDelivery', () => {
  it('sends a new or transiently failed mail', () => {
    expect(decideDelivery({ status: 'queued', claimedAt: null, handedOverAt: null }, now)).toEqual({ action: 'send' });
    expect(decideDelivery({ status: 'retrying', claimedAt: ago(5_000), handedOverAt: null }, now)).toEqual({ action: 'send' });
  });

  it('only repeats the outcome of a settled mail', () => {
    expect(decideDelivery({ status: 'sent', claimedAt: ago(1_000), handedOverAt: null }, now)).toEqual({ action: 'republish-sent' });
    expect(decideDelivery({ status: 'failed', claimedAt: null, handedOverAt: null }, now)).toEqual({ action: 'republish-failed' });
  });

  it('never sends a mail again that an attempt handed to the server and did not settle', () => {
    const handedOverAt = ago(SEND_LEASE_MS - 10);
    expect(decideDelivery({ status: 'sending', claimedAt: ago(SEND_LEASE_MS), handedOverAt }, now)).toEqual({ action: 'give-up-uncertain' });
    expect(decideDelivery({ status: 'sending', claimedAt: ago(10 * 60_000), handedOverAt }, now)).toEqual({ action: 'give-up-uncertain' });
    // Nothing says when it was taken: nothing says how far it got either.
    expect(decideDelivery({ status: 'sending', claimedAt: null, handedOverAt: null }, now)).toEqual({ action: 'give-up-uncertain' });
  });

  it('sends again a mail whose attempt died before the end of DATA, once its lease has run out', () => {
    expect(decideDelivery({ status: 'sending', claimedAt: ago(SEND_LEASE_MS), handedOverAt: null }, now)).toEqual({ action: 'send', interrupted: true });
    expect(decideDelivery({ status: 'sending', claimedAt: ago(SEND_LEASE_MS - 1), handedOverAt: null }, now)).toEqual({ action: 'wait-for-other-attempt' });
  });

  it('leaves a send that is still within its lease to the attempt holding it', () => {
    expect(decideDelivery({ status: 'sending', claimedAt: ago(SEND_LEASE_MS - 1), handedOverAt: null }, now)).toEqual({ action: 'wait-for-other-attempt' });
  });

  it('recognises a crash before the request runs out of redeliveries (ack wait 60 s, then 1 + 5 + 30 + 120 s)', () => {
    const lastRedeliveryAfterCrash = 60_000 + 1_000 + 5_000 + 30_000 + 120_000;
    expect(SEND_LEASE_MS).toBeGreaterThan(60_000);
    expect(SEND_LEASE_MS).toBeLessThan(lastRedeliveryAfterCrash);
  });
});

describe('decideDelivery while SMTP is paused or a ticket has parked replies', () => {
  const fresh = { status: 'queued' as const, claimedAt: null, handedOverAt: null };

  it('parks a new or retrying mail instead of logging in while the project is paused, never fails it', () => {
    expect(decideDelivery(fresh, now, request({ smtpPaused: true }))).toEqual({ action: 'hold' });
    expect(decideDelivery({ ...fresh, status: 'retrying' }, now, request({ smtpPaused: true }))).toEqual({ action: 'hold' });
    expect(decideDelivery(fresh, now, request())).toEqual({ action: 'send' });
  });

  it("parks a ticket's reply behind its parked ones, so it cannot overtake them", () => {
    expect(decideDelivery(fresh, now, request({ ticketParked: true }))).toEqual({ action: 'hold' });
  });

  it('leaves a parked mail to ParkedReplies when its request comes back, even when it could go', () => {
    expect(decideDelivery({ ...fresh, status: 'held' }, now, request())).toEqual({ action: 'leave-parked' });
  });

  it('sends a parked mail once SMTP may log in and its back-off is over, and not before', () => {
    const held = { status: 'held' as const, claimedAt: ago(60_000), handedOverAt: null };
    expect(decideDelivery(held, now, parked())).toEqual({ action: 'send' });
    expect(decideDelivery({ ...held, retryAt: ago(1) }, now, parked())).toEqual({ action: 'send' });
    expect(decideDelivery({ ...held, retryAt: new Date(now.getTime() + 1_000) }, now, parked())).toEqual({ action: 'leave-parked' });
    expect(decideDelivery(held, now, parked({ smtpPaused: true }))).toEqual({ action: 'leave-parked' });
  });

  it('keeps the crash rules for a parked mail being sent: never again after the end of DATA, parked again before it while paused', () => {
    const sending = { status: 'sending' as const, claimedAt: ago(SEND_LEASE_MS), handedOverAt: null };
    expect(decideDelivery(sending, now, parked())).toEqual({ action: 'send', interrupted: true });
    expect(decideDelivery(sending, now, parked({ smtpPaused: true }))).toEqual({ action: 'hold', interrupted: true });
    expect(decideDelivery({ ...sending, handedOverAt: ago(SEND_LEASE_MS) }, now, parked({ smtpPaused: true }))).toEqual({ action: 'give-up-uncertain' });
    expect(decideDelivery({ ...sending, claimedAt: ago(1_000) }, now, parked())).toEqual({ action: 'wait-for-other-attempt' });
    expect(decideDelivery({ status: 'sent', claimedAt: ago(1_000), handedOverAt: ago(900) }, now, parked({ smtpPaused: true }))).toEqual({ action: 'republish-sent' });
  });
});

describe('isLastAttempt', () => {
  it('is the fifth SMTP attempt or the fifth delivery of the request', () => {
    expect(MAX_SEND_ATTEMPTS).toBe(5);
    expect(isLastAttempt(4, 4)).toBe(false);
    expect(isLastAttempt(5, 1)).toBe(true);
    expect(isLastAttempt(2, 5)).toBe(true);
  });
});

describe("a parked mail's attempts", () => {
  it("does not count the tries whose login was rejected toward the mail's MAX_SEND_ATTEMPTS", () => {
    expect(isLastParkedAttempt(7, 3)).toBe(false);
    expect(isLastParkedAttempt(8, 3)).toBe(true);
  });

  it('waits 1, 5, 30 s, then 2 minutes between failed tries', () => {
    expect([1, 2, 3, 4, 9].map(parkedRetryDelayMs)).toEqual([1_000, 5_000, 30_000, 120_000, 120_000]);
  });
});
