import { describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent } from '@ensoras/contracts';
import { checkEnvelope } from './envelope-check.js';
import { PermanentEventError } from './event-failure.js';

const Created = defineEvent<{ ticketId: string }>('ticket', 'created', 2);

describe('checkEnvelope', () => {
  it('accepts an envelope of the definition, also of an older version', () => {
    const envelope = createEnvelope(Created, 'p1', { ticketId: 't1' });
    expect(checkEnvelope(envelope, Created)).toBe(envelope);
    expect(checkEnvelope({ ...envelope, version: 1 }, Created).payload.ticketId).toBe('t1');
  });

  it.each([
    ['a string', 'hello', /not an envelope/],
    ['an envelope without id', { type: 'ticket.created', version: 2, projectId: 'p1', payload: {} }, /no id/],
    ['another event type', { id: 'e', type: 'ticket.updated', version: 2, projectId: 'p1', payload: {} }, /expected a ticket.created event/],
    ['a newer version', { id: 'e', type: 'ticket.created', version: 3, projectId: 'p1', payload: {} }, /version 3 is unknown here \(up to 2\)/],
    ['no payload', { id: 'e', type: 'ticket.created', version: 2, projectId: 'p1', payload: null }, /has no payload/],
  ])('rejects %s as a permanent failure', (_, data, reason) => {
    expect(() => checkEnvelope(data, Created)).toThrow(PermanentEventError);
    expect(() => checkEnvelope(data, Created)).toThrow(reason);
  });
});
