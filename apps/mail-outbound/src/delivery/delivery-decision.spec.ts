import { describe, expect, it } from 'vitest';
import { decideDelivery, isLastAttempt, MAX_SEND_ATTEMPTS, SEND_LEASE_MS } from './delivery-decision.js';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

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

describe('isLastAttempt', () => {
  it('is the fifth SMTP attempt or the fifth delivery of the request', () => {
    expect(MAX_SEND_ATTEMPTS).toBe(5);
    expect(isLastAttempt(4, 4)).toBe(false);
    expect(isLastAttempt(5, 1)).toBe(true);
    expect(isLastAttempt(2, 5)).toBe(true);
  });
});
