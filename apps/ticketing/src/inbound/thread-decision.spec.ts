import { describe, expect, it } from 'vitest';
import { decideThread, MAX_TRAILING_REFERENCES, threadingReferences, type KnownReference, type SubjectCandidate, type ThreadingMail } from './thread-decision.js';

const mail = (overrides: Partial<ThreadingMail> = {}): ThreadingMail => ({
  messageId: '<new@customer.example>',
  inReplyTo: null,
  references: [],
  subject: 'Order 42 is late',
  customerAddress: 'anna@customer.example',
  kind: 'normal',
  bouncedMessageId: null,
  ...overrides,
});

const candidate = (overrides: Partial<SubjectCandidate> = {}): SubjectCandidate => ({
  ticketId: 'T-subject',
  customerAddress: 'anna@customer.example',
  subjectKey: 'order 42 is late',
  status: 'answered',
  updatedAt: new Date('2025-01-01T10:00:00Z'),
  ...overrides,
});

const known = (...pairs: Array<[string, string]>): KnownReference[] => pairs.map(([messageId, ticketId]) => ({ messageId, ticketId }));

describe('decideThread', () => {
  it('opens a new ticket for a first mail', () => {
    expect(decideThread(mail(), [], [])).toEqual({ action: 'create' });
  });

  it('joins the ticket In-Reply-To names', () => {
    const decision = decideThread(mail({ inReplyTo: '<ours@support.example>' }), known(['<ours@support.example>', 'T1']), []);
    expect(decision).toEqual({ action: 'join', ticketId: 'T1', rule: 'in-reply-to' });
  });

  it('prefers In-Reply-To over References and subject', () => {
    const decision = decideThread(
      mail({ inReplyTo: '<b@x>', references: ['<a@x>'], subject: 'Re: Order 42 is late' }),
      known(['<a@x>', 'T-ref'], ['<b@x>', 'T-irt']),
      [candidate()],
    );
    expect(decision).toMatchObject({ ticketId: 'T-irt', rule: 'in-reply-to' });
  });

  it('joins by References when In-Reply-To is unknown or missing', () => {
    expect(decideThread(mail({ inReplyTo: '<unknown@x>', references: ['<a@x>'] }), known(['<a@x>', 'T1']), [])).toEqual({
      action: 'join',
      ticketId: 'T1',
      rule: 'references',
    });
  });

  it('takes the nearest known ancestor of References (the last id)', () => {
    const decision = decideThread(mail({ references: ['<root@x>', '<mid@x>', '<unknown@x>'] }), known(['<root@x>', 'T-root'], ['<mid@x>', 'T-mid']), []);
    expect(decision).toMatchObject({ ticketId: 'T-mid', rule: 'references' });
  });

  it('joins the ticket of a message that names this mail (it arrived after its reply)', () => {
    expect(decideThread(mail(), known(['<new@customer.example>', 'T-child']), [])).toEqual({
      action: 'join',
      ticketId: 'T-child',
      rule: 'referenced-by',
    });
  });

  it('joins by subject when a reply prefix is present and customer and subject match', () => {
    expect(decideThread(mail({ subject: 'RE: Aw: Order 42 is late' }), [], [candidate()])).toEqual({
      action: 'join',
      ticketId: 'T-subject',
      rule: 'subject',
    });
  });

  it('matches subjects case-insensitively, with numbered and stacked prefixes and forwards', () => {
    for (const subject of ['re: ORDER 42 IS LATE', 'Re[2]: Order 42  is late', 'Fwd: Order 42 is late', 'SV: WG: order 42 is late']) {
      expect(decideThread(mail({ subject }), [], [candidate()])).toMatchObject({ action: 'join', rule: 'subject' });
    }
  });

  it('does not join by subject without a reply prefix', () => {
    expect(decideThread(mail({ subject: 'Order 42 is late' }), [], [candidate()])).toEqual({ action: 'create' });
  });

  it('does not join by subject a ticket of another customer', () => {
    const decision = decideThread(mail({ subject: 'Re: Order 42 is late', customerAddress: 'bob@else.example' }), [], [candidate()]);
    expect(decision).toEqual({ action: 'create' });
  });

  it('compares customer addresses case-insensitively', () => {
    const decision = decideThread(mail({ subject: 'Re: Order 42 is late', customerAddress: 'Anna@Customer.Example' }), [], [candidate()]);
    expect(decision).toMatchObject({ action: 'join', rule: 'subject' });
  });

  it('does not join a closed ticket by subject', () => {
    expect(decideThread(mail({ subject: 'Re: Order 42 is late' }), [], [candidate({ status: 'closed' })])).toEqual({ action: 'create' });
  });

  it('does not join a ticket whose subject differs', () => {
    expect(decideThread(mail({ subject: 'Re: Order 43 is late' }), [], [candidate()])).toEqual({ action: 'create' });
  });

  it('picks the most recently updated of several matching tickets', () => {
    const decision = decideThread(
      mail({ subject: 'Re: Order 42 is late' }),
      [],
      [
        candidate({ ticketId: 'T-old', updatedAt: new Date('2025-01-01T00:00:00Z') }),
        candidate({ ticketId: 'T-new', updatedAt: new Date('2025-02-01T00:00:00Z') }),
        candidate({ ticketId: 'T-mid', updatedAt: new Date('2025-01-15T00:00:00Z') }),
      ],
    );
    expect(decision).toMatchObject({ ticketId: 'T-new' });
  });

  it('never threads a prefix-only or empty subject by subject', () => {
    for (const subject of ['Re:', 'Re: ', '', 'Re: (no subject)']) {
      expect(decideThread(mail({ subject }), [], [candidate({ subjectKey: null })])).toEqual({ action: 'create' });
    }
  });

  it('does not thread by subject when the mail names no customer address', () => {
    expect(decideThread(mail({ subject: 'Re: Order 42 is late', customerAddress: '' }), [], [candidate({ customerAddress: '' })])).toEqual({
      action: 'create',
    });
  });

  it('records our own mail on the ticket it continues', () => {
    expect(decideThread(mail({ kind: 'own', inReplyTo: '<c@x>' }), known(['<c@x>', 'T1']), [])).toMatchObject({ action: 'join', ticketId: 'T1' });
  });

  it('never opens a ticket for our own mail', () => {
    expect(decideThread(mail({ kind: 'own' }), [], [])).toEqual({ action: 'unattached', reason: 'own mail that continues no known ticket' });
  });

  it('never opens a ticket for machine mail that continues nothing', () => {
    for (const kind of ['auto-reply', 'out-of-office', 'bounce', 'feedback-report', 'read-receipt'] as const) {
      expect(decideThread(mail({ kind }), [], [])).toEqual({ action: 'unattached', reason: `${kind} that continues no known ticket` });
    }
  });

  it('opens tickets for mailing-list mail (it is not answered, but a person may want to)', () => {
    expect(decideThread(mail({ kind: 'mailing-list' }), [], [])).toEqual({ action: 'create' });
  });

  it('records machine mail on the ticket it continues', () => {
    expect(decideThread(mail({ kind: 'out-of-office', inReplyTo: '<ours@x>' }), known(['<ours@x>', 'T1']), [])).toMatchObject({
      action: 'join',
      ticketId: 'T1',
    });
  });

  it('joins a bounce to the ticket of the mail that bounced, before any header rule', () => {
    const decision = decideThread(
      mail({ kind: 'bounce', bouncedMessageId: '<ours@x>', inReplyTo: '<other@x>' }),
      known(['<ours@x>', 'T-bounced'], ['<other@x>', 'T-other']),
      [],
    );
    expect(decision).toEqual({ action: 'join', ticketId: 'T-bounced', rule: 'bounced-message' });
  });

  it('threads a bounce by its headers when the bounced Message-ID is unknown, else keeps it unattached', () => {
    expect(decideThread(mail({ kind: 'bounce', bouncedMessageId: '<unknown@x>', references: ['<a@x>'] }), known(['<a@x>', 'T1']), [])).toMatchObject({
      ticketId: 'T1',
      rule: 'references',
    });
    expect(decideThread(mail({ kind: 'bounce', bouncedMessageId: '<unknown@x>' }), [], [])).toMatchObject({ action: 'unattached' });
  });

  it('uses the bounced Message-ID only for bounces', () => {
    expect(decideThread(mail({ bouncedMessageId: '<ours@x>' }), known(['<ours@x>', 'T1']), [])).toEqual({ action: 'create' });
  });
});

describe('threadingReferences', () => {
  it('keeps the root and the 50 nearest ancestors of 16,400 References, which still thread by their parent', () => {
    const references = Array.from({ length: 16_400 }, (_, i) => `<r${i}@customer.example>`);
    const kept = threadingReferences(references);
    expect(kept).toHaveLength(MAX_TRAILING_REFERENCES + 1);
    expect(kept[0]).toBe('<r0@customer.example>');
    expect(kept.at(-1)).toBe('<r16399@customer.example>');
    expect(decideThread(mail({ references: kept }), known(['<r16399@customer.example>', 'T1']), [])).toMatchObject({ ticketId: 'T1' });
    expect(decideThread(mail({ references: kept }), known(['<r0@customer.example>', 'T-root']), [])).toMatchObject({ ticketId: 'T-root' });
  });

  it('leaves an ordinary chain untouched', () => {
    expect(threadingReferences(['<a@x>', '<b@x>'])).toEqual(['<a@x>', '<b@x>']);
  });
});
