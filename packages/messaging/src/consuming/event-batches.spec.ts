import { describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf, isBatchHandler, maxBatchOf } from './event-batches.js';
import { PermanentEventError } from './event-failure.js';

const Counted = defineEvent<{ n: number }>('ticket', 'counted');

describe('batch handlers', () => {
  it('marks a handler with its batch size; a plain handler takes one event', () => {
    expect(maxBatchOf(inBatchesOf(50))).toBe(50);
    expect(isBatchHandler(inBatchesOf(1))).toBe(true);
    expect(maxBatchOf(undefined)).toBe(1);
    expect(isBatchHandler({})).toBe(false);
    expect(() => inBatchesOf(0)).toThrow(RangeError);
  });

  it('checks every envelope of a batch and refuses anything but an array', () => {
    const pipe = new EnvelopesOf(Counted);
    const envelopes = [createEnvelope(Counted, 'p1', { n: 1 }), createEnvelope(Counted, 'p1', { n: 2 })];
    expect(pipe.transform(envelopes)).toEqual(envelopes);
    expect(() => pipe.transform(envelopes[0])).toThrow(PermanentEventError);
    expect(() => pipe.transform([envelopes[0], { ...envelopes[1], type: 'other' }])).toThrow(/expected a ticket.counted event|expected/);
  });
});
