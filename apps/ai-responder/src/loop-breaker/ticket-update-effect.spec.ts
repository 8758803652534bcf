import { describe, expect, it } from 'vitest';
import { createEnvelope, TicketUpdated, type TicketStatus, type TicketUpdatedPayload } from '@ensoras/contracts';
import { isHumanStatus, ticketUpdateEffect } from './ticket-update-effect.js';

function update(status: string, changes: string[], previousStatus?: string) {
  const now = new Date().toISOString();
  return createEnvelope(TicketUpdated, 'p1', {
    ticket: { id: 't1', projectId: 'p1', subject: 'Order', status: status as TicketStatus, customer: { address: 'jane@example.com', name: 'Jane' }, messageCount: 2, createdAt: now, updatedAt: now },
    changes,
    ...(previousStatus === undefined ? {} : { previousStatus: previousStatus as TicketStatus }),
  } satisfies TicketUpdatedPayload);
}

describe('ticketUpdateEffect', () => {
  it('hands off a ticket a human holds, whatever changed (also under its name before issue 9)', () => {
    expect(ticketUpdateEffect(update('needs_human', ['status', 'handoffReason'], 'open'))).toEqual({ action: 'hand-off', projectId: 'p1', ticketId: 't1' });
    expect(ticketUpdateEffect(update('needs_human', ['messageCount']))?.action).toBe('hand-off');
    expect(ticketUpdateEffect(update('handed_off', ['status']))?.action).toBe('hand-off');
  });

  it('releases a ticket given back to the AI', () => {
    expect(ticketUpdateEffect(update('open', ['status'], 'needs_human'))).toEqual({ action: 'release', projectId: 'p1', ticketId: 't1' });
  });

  it('releases and cancels for a closed ticket, whatever it was', () => {
    expect(ticketUpdateEffect(update('closed', ['status'], 'needs_human'))?.action).toBe('close');
    expect(ticketUpdateEffect(update('closed', ['status'], 'answered'))?.action).toBe('close');
  });

  it('leaves everything else alone: a reopened ticket is not one given back, nor one without previousStatus', () => {
    expect(ticketUpdateEffect(update('open', ['messageCount', 'status'], 'answered'))).toBeNull();
    expect(ticketUpdateEffect(update('open', ['status']))).toBeNull();
    expect(ticketUpdateEffect(update('answered', ['messageCount', 'status'], 'open'))).toBeNull();
    expect(ticketUpdateEffect(update('closed', ['messageCount']))).toBeNull();
    expect(ticketUpdateEffect(update('draft_ready', ['status'], 'open'))).toBeNull();
  });

  it('ignores an update without a ticket', () => {
    const malformed = { ...update('needs_human', ['status']), payload: {} as TicketUpdatedPayload };
    expect(ticketUpdateEffect(malformed)).toBeNull();
  });
});

describe('isHumanStatus', () => {
  it('knows both names', () => {
    expect([isHumanStatus('needs_human'), isHumanStatus('handed_off'), isHumanStatus('open'), isHumanStatus(undefined)]).toEqual([true, true, false, false]);
  });
});
