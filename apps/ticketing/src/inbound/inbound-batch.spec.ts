import { describe, expect, it } from 'vitest';
import type { TicketStatus } from '@ensoras/contracts';
import type { Ticket } from '../tickets/ticket.entity.js';
import { chunked, KnownReferences, PendingWrites, SUBJECT_CANDIDATE_LIMIT, SubjectCandidates, type HashedCandidate } from './inbound-batch.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

function candidate(ticketId: string, second: number, status: TicketStatus = 'open'): HashedCandidate {
  return { ticketId, customerAddress: 'anna@customer.example', subjectKey: 'refund', status, updatedAt: at(second), subjectThreadHash: 'h1' };
}

function ticket(id: string, second: number, status: TicketStatus = 'open', subjectThreadHash: string | null = 'h1'): Ticket {
  return {
    id,
    projectId: 'p1',
    subject: 'Refund',
    subjectKey: 'refund',
    subjectThreadHash,
    customerAddress: 'anna@customer.example',
    customerName: 'Anna',
    status,
    messageCount: 1,
    handoffReason: null,
    createdAt: at(second),
    updatedAt: at(second),
  };
}

describe('KnownReferences', () => {
  it('answers for stored ids and for ids claimed by earlier mails, and claims each id once', () => {
    const references = new KnownReferences([{ messageId: '<a@x>', ticketId: 't1' }]);
    expect(references.among(['<a@x>', '<b@x>'])).toEqual([{ messageId: '<a@x>', ticketId: 't1' }]);

    expect(references.claim(['<a@x>', '<b@x>', '<c@x>'], 't2')).toEqual(['<b@x>', '<c@x>']);
    expect(references.among(['<a@x>', '<b@x>', '<c@x>'])).toEqual([
      { messageId: '<a@x>', ticketId: 't1' },
      { messageId: '<b@x>', ticketId: 't2' },
      { messageId: '<c@x>', ticketId: 't2' },
    ]);
    expect(references.claim(['<b@x>'], 't3')).toEqual([]);
  });
});

describe('SubjectCandidates', () => {
  it('lists the stored candidates of a hash newest first, none for no hash or an unknown one', () => {
    const candidates = new SubjectCandidates([candidate('old', 1), candidate('new', 3), candidate('mid', 2)]);
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['new', 'mid', 'old']);
    expect(candidates.of('h2')).toEqual([]);
    expect(candidates.of(null)).toEqual([]);
  });

  it('puts a ticket created or continued in the batch first, and keeps the newest few', () => {
    const stored = Array.from({ length: SUBJECT_CANDIDATE_LIMIT }, (_, i) => candidate(`t${i}`, i));
    const candidates = new SubjectCandidates(stored);

    candidates.touch(ticket('created', 10));
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['created', 't4', 't3', 't2', 't1']);

    // A stored ticket continued by a mail (one that was beyond the limit, or one already listed) moves up.
    candidates.touch(ticket('t0', 11));
    candidates.touch(ticket('t3', 12, 'open'));
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['t3', 't0', 'created', 't4', 't2']);
    expect(candidates.of('h1')[0]).toMatchObject({ updatedAt: at(12), status: 'open' });
  });

  it('takes the touched ticket for the newer of two equal times, and drops a closed one', () => {
    const candidates = new SubjectCandidates([candidate('stored', 5)]);
    candidates.touch(ticket('touched', 5));
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['touched', 'stored']);

    candidates.touch(ticket('stored', 6, 'closed'));
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['touched']);
    candidates.touch(ticket('unhashed', 7, 'open', null));
    expect(candidates.of('h1').map((c) => c.ticketId)).toEqual(['touched']);
  });

  it('hands out copies, which a caller may not change the batch through', () => {
    const candidates = new SubjectCandidates([candidate('t1', 1)]);
    candidates.of('h1').pop();
    expect(candidates.of('h1')).toHaveLength(1);
  });
});


describe('PendingWrites', () => {
  it('inserts the tickets the batch created and updates only the stored ones it changed', () => {
    const writes = new PendingWrites();
    const created = ticket('created', 1);
    const stored = ticket('stored', 0);
    const untouched = ticket('untouched', 0);
    writes.created(created);
    writes.loaded(stored);
    writes.loaded(untouched);
    writes.changed(created);
    writes.changed(stored);
    expect(writes.ticket('stored')).toBe(stored);
    expect(writes.ticket('other')).toBeUndefined();
    expect(writes.createdTickets()).toEqual([created]);
    expect(writes.changedStoredTickets()).toEqual([stored]);
    expect(() => writes.changed(ticket('unknown', 0))).toThrow(/before it was loaded/);
  });

  it('hands out the threading entries sorted by project and Message-ID, whatever order they were claimed in', () => {
    const writes = new PendingWrites();
    const createdAt = at(0);
    for (const [projectId, messageId] of [['p2', '<a@x>'], ['p1', '<c@x>'], ['p1', '<a@x>'], ['p1', '<b@x>']] as const) {
      writes.reference({ projectId, messageId, ticketId: 't', createdAt });
    }
    expect(writes.referencesInKeyOrder().map((r) => `${r.projectId} ${r.messageId}`)).toEqual(['p1 <a@x>', 'p1 <b@x>', 'p1 <c@x>', 'p2 <a@x>']);
  });
});

describe('chunked', () => {
  it('splits rows into statements of at most the given size', () => {
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked([], 2)).toEqual([]);
    expect(chunked(Array.from({ length: 1_001 }, (_, i) => i)).map((chunk) => chunk.length)).toEqual([500, 500, 1]);
  });
});
