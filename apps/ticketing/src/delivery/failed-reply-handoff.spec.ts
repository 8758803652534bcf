import { describe, expect, it } from 'vitest';
import { failedReplyHandoff } from './failed-reply-handoff.js';

const failed = { deliveryStatus: 'failed' as const, deliveryNote: 'delivery_uncertain: Sending was interrupted.' };

describe('failedReplyHandoff', () => {
  it('hands an answered or open ticket to a human when its reply fails for good, saying why', () => {
    expect(failedReplyHandoff({ status: 'answered' }, 'queued', failed)).toEqual({
      status: 'needs_human',
      handoffReason: 'Our reply was not delivered: delivery_uncertain: Sending was interrupted.',
    });
    expect(failedReplyHandoff({ status: 'open' }, 'queued', failed)?.status).toBe('needs_human');
    expect(failedReplyHandoff({ status: 'draft_ready' }, 'queued', failed)?.status).toBe('needs_human');
  });

  it('leaves a ticket a human holds, or a closed one, as it is', () => {
    expect(failedReplyHandoff({ status: 'needs_human' }, 'queued', failed)).toBeNull();
    expect(failedReplyHandoff({ status: 'closed' }, 'queued', failed)).toBeNull();
  });

  it('does nothing for a temporary failure, a success, or a failure reported again', () => {
    expect(failedReplyHandoff({ status: 'answered' }, 'queued', { deliveryStatus: 'queued', deliveryNote: 'temporary' })).toBeNull();
    expect(failedReplyHandoff({ status: 'answered' }, 'queued', { deliveryStatus: 'sent', deliveryNote: null })).toBeNull();
    expect(failedReplyHandoff({ status: 'answered' }, 'failed', failed)).toBeNull();
  });

  it('keeps the reason within 1,000 characters', () => {
    const long = failedReplyHandoff({ status: 'answered' }, 'queued', { deliveryStatus: 'failed', deliveryNote: 'x'.repeat(5_000) });
    expect(long!.handoffReason).toHaveLength(1_000);
  });
});
