import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNEL_SAFETY } from '@ensoras/contracts';
import { loopLimitReached } from './loop-limits.js';

const safety = { maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 };

describe('loopLimitReached', () => {
  it('lets the AI answer below both limits', () => {
    expect(loopLimitReached({ ticket: 0, address: 0 }, safety, 'jane@example.com')).toBeNull();
    expect(loopLimitReached({ ticket: 2, address: 4 }, safety, 'jane@example.com')).toBeNull();
  });

  it('stops at the per-ticket limit, saying which limit and window', () => {
    expect(loopLimitReached({ ticket: 3, address: 3 }, safety, 'jane@example.com')).toBe(
      'AI reply limit reached: 3 replies to this ticket within 60 minutes (limit 3)',
    );
  });

  it('stops at the per-address limit, across tickets', () => {
    expect(loopLimitReached({ ticket: 0, address: 5 }, safety, 'jane@example.com')).toBe(
      'AI reply limit reached: 5 replies to jane@example.com within 60 minutes (limit 5)',
    );
  });

  it('names the ticket limit first when both are reached', () => {
    expect(loopLimitReached({ ticket: 9, address: 9 }, safety, 'x@y')).toMatch(/to this ticket/);
  });

  it('counts only per ticket when the address is unknown', () => {
    expect(loopLimitReached({ ticket: 0, address: null }, { ...safety, maxAiRepliesPerAddress: 1 }, '')).toBeNull();
  });

  it('says "minute" for a window of one', () => {
    expect(loopLimitReached({ ticket: 1, address: 0 }, { ...safety, maxAiRepliesPerTicket: 1, loopWindowMinutes: 1 }, 'x@y')).toMatch(/within 1 minute \(/);
  });

  it('is stricter than Zammad by default (10 per ticket, 30 per address in 10 minutes)', () => {
    expect(DEFAULT_CHANNEL_SAFETY.maxAiRepliesPerTicket).toBeLessThan(10);
    expect(DEFAULT_CHANNEL_SAFETY.maxAiRepliesPerAddress).toBeLessThan(30);
    expect(loopLimitReached({ ticket: DEFAULT_CHANNEL_SAFETY.maxAiRepliesPerTicket, address: 0 }, DEFAULT_CHANNEL_SAFETY, 'x@y')).not.toBeNull();
  });
});
