import { describe, expect, it } from 'vitest';
import { MAX_GENERATION_ATTEMPTS, planRetry } from './generation-retry.js';
import { replyProposedEventId } from './reply-event-id.js';

describe('planRetry', () => {
  it('backs off 30 s, 2 min, then 10 min', () => {
    expect(planRetry(1)).toEqual({ status: 'scheduled', retryInSeconds: 30 });
    expect(planRetry(2)).toEqual({ status: 'scheduled', retryInSeconds: 120 });
    expect(planRetry(3)).toEqual({ status: 'scheduled', retryInSeconds: 600 });
    expect(planRetry(4)).toEqual({ status: 'scheduled', retryInSeconds: 600 });
  });

  it('gives up after the fifth attempt', () => {
    expect(MAX_GENERATION_ATTEMPTS).toBe(5);
    expect(planRetry(5)).toEqual({ status: 'failed' });
    expect(planRetry(6)).toEqual({ status: 'failed' });
  });
});

describe('replyProposedEventId', () => {
  it('is the same UUID for the same response and another for another', () => {
    const id = replyProposedEventId('6f1c1d6e-8a53-4c38-9d9e-1a4c2b9f0a11');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(replyProposedEventId('6f1c1d6e-8a53-4c38-9d9e-1a4c2b9f0a11')).toBe(id);
    expect(id).toBe('a29afc42-b985-591a-b98c-b23cdcaa4af9'); // the value it has always had
    expect(replyProposedEventId('0b7f3a52-6a0e-4f0e-8f43-3d1f6a7e2c90')).not.toBe(id);
    expect(id).not.toBe('6f1c1d6e-8a53-4c38-9d9e-1a4c2b9f0a11');
  });
});
