import { describe, expect, it } from 'vitest';
import { decidePublishFailure, type OutboxRetryPolicy } from './outbox-parking.js';

const policy: OutboxRetryPolicy = { maxAttempts: 3, backoffMs: [100, 1_000] };
const SUBJECT = 'ticket.p1.created';
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('decidePublishFailure', () => {
  it('parks at once a payload over the server max_payload', () => {
    const error = named('InvalidArgumentError', "'payload' max_payload size exceeded");
    expect(decidePublishFailure(error, 0, SUBJECT, policy)).toEqual({ action: 'park', attempts: 1 });
  });

  it('parks at once what the stream refuses as too large', () => {
    const error = Object.assign(named('JetStreamApiError', 'message size exceeds maximum allowed'), { code: 10054 });
    expect(decidePublishFailure(error, 2, SUBJECT, policy)).toEqual({ action: 'park', attempts: 3 });
  });

  it('parks at once an invalid subject', () => {
    expect(decidePublishFailure(named('InvalidSubjectError', "illegal subject: 'mail. .x'"), 0, SUBJECT, policy).action).toBe('park');
  });

  it('pauses without counting when NATS is unavailable', () => {
    expect(decidePublishFailure(named('TimeoutError', 'timeout'), 4, SUBJECT, policy)).toEqual({ action: 'pause' });
    expect(decidePublishFailure(named('ClosedConnectionError', 'closed connection'), 0, SUBJECT, policy)).toEqual({ action: 'pause' });
  });

  it('parks at once a subject no stream captures, where "no responders" is no outage', () => {
    expect(decidePublishFailure(named('NoResponders', 'no responders'), 0, 'unknown.p1.created', policy)).toEqual({ action: 'park', attempts: 1 });
  });

  it('retries an unknown error with growing back-off, then parks it', () => {
    const error = new Error('something odd');
    expect(decidePublishFailure(error, 0, SUBJECT, policy)).toEqual({ action: 'retry', attempts: 1, delayMs: 100 });
    expect(decidePublishFailure(error, 1, SUBJECT, policy)).toEqual({ action: 'retry', attempts: 2, delayMs: 1_000 });
    expect(decidePublishFailure(error, 2, SUBJECT, policy)).toEqual({ action: 'park', attempts: 3 });
  });
});
