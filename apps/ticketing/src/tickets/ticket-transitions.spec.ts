import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES, type TicketStatus } from '@ensoras/contracts';
import { ticketTransition, type TicketEvent, type TicketTransition } from './ticket-transitions.js';

/** The transition of every status for one event, as a status → outcome table (refusal reasons left out). */
function table(event: TicketEvent): Record<TicketStatus, TicketStatus | 'unchanged' | 'refused'> {
  const shown = (transition: TicketTransition) => (transition.outcome === 'change' ? transition.status : transition.outcome);
  return Object.fromEntries(TICKET_STATUSES.map((status) => [status, shown(ticketTransition(status, event))])) as Record<
    TicketStatus,
    TicketStatus | 'unchanged' | 'refused'
  >;
}

describe('ticketTransition', () => {
  it('puts an answered or closed ticket back into the queue when the customer writes; others keep their status', () => {
    expect(table({ type: 'mail-received', kind: 'normal' })).toEqual({
      open: 'unchanged',
      answered: 'open',
      draft_ready: 'unchanged',
      needs_human: 'unchanged',
      closed: 'open',
    });
    // A mailing-list mail is a person's too.
    expect(ticketTransition('closed', { type: 'mail-received', kind: 'mailing-list' })).toEqual({ outcome: 'change', status: 'open' });
  });

  it('never moves a ticket for machine mail or our own mail', () => {
    for (const kind of ['auto-reply', 'out-of-office', 'bounce', 'feedback-report', 'read-receipt', 'own'] as const) {
      expect(Object.values(table({ type: 'mail-received', kind }))).toEqual(TICKET_STATUSES.map(() => 'unchanged'));
    }
  });

  it("refuses the AI's reply for a ticket a human holds or that is closed; otherwise it is answered", () => {
    expect(table({ type: 'reply-queued', by: 'ai' })).toEqual({
      open: 'answered',
      answered: 'unchanged',
      draft_ready: 'answered',
      needs_human: 'refused',
      closed: 'refused',
    });
    expect(ticketTransition('needs_human', { type: 'reply-queued', by: 'ai' })).toEqual({
      outcome: 'refused',
      reason: 'a human holds the ticket; the AI does not answer it',
    });
  });

  it("answers with an agent's reply (or a draft an agent sent); a needs_human ticket stays with its human", () => {
    expect(table({ type: 'reply-queued', by: 'agent' })).toEqual({
      open: 'answered',
      answered: 'unchanged',
      draft_ready: 'answered',
      needs_human: 'unchanged',
      closed: 'answered',
    });
  });

  it('keeps a draft as draft_ready, except where the AI does not answer', () => {
    expect(table({ type: 'draft-recorded' })).toEqual({
      open: 'draft_ready',
      answered: 'draft_ready',
      draft_ready: 'unchanged',
      needs_human: 'refused',
      closed: 'refused',
    });
  });

  it('goes back to open when the last waiting draft is discarded', () => {
    expect(table({ type: 'draft-discarded', draftsLeft: 0 })).toEqual({
      open: 'unchanged',
      answered: 'unchanged',
      draft_ready: 'open',
      needs_human: 'unchanged',
      closed: 'unchanged',
    });
    expect(ticketTransition('draft_ready', { type: 'draft-discarded', draftsLeft: 1 })).toEqual({ outcome: 'unchanged' });
  });

  it("takes the AI's handoff from any status, once", () => {
    expect(table({ type: 'handoff', by: 'ai' })).toEqual({
      open: 'needs_human',
      answered: 'needs_human',
      draft_ready: 'needs_human',
      needs_human: 'unchanged',
      closed: 'needs_human',
    });
  });

  it("takes an agent's handoff of a ticket nobody holds, and refuses the rest", () => {
    expect(table({ type: 'handoff', by: 'agent' })).toEqual({
      open: 'needs_human',
      answered: 'needs_human',
      draft_ready: 'needs_human',
      needs_human: 'refused',
      closed: 'refused',
    });
  });

  it('hands a ticket to a human after a failed reply unless a human holds it or it is closed', () => {
    expect(table({ type: 'handoff', by: 'system' })).toEqual({
      open: 'needs_human',
      answered: 'needs_human',
      draft_ready: 'needs_human',
      needs_human: 'unchanged',
      closed: 'unchanged',
    });
  });

  it('gives only a needs_human ticket back to the AI', () => {
    expect(table({ type: 'resume-ai' })).toEqual({
      open: 'refused',
      answered: 'refused',
      draft_ready: 'refused',
      needs_human: 'open',
      closed: 'refused',
    });
    expect(ticketTransition('closed', { type: 'resume-ai' })).toEqual({
      outcome: 'refused',
      reason: 'only a needs_human ticket can be given back to the AI; this one is closed',
    });
  });

  it('closes anything not closed', () => {
    expect(table({ type: 'close' })).toEqual({
      open: 'closed',
      answered: 'closed',
      draft_ready: 'closed',
      needs_human: 'closed',
      closed: 'refused',
    });
  });
});
