import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  defineEvent,
  MailReceived,
  MailSendRequested,
  ReplyHandoff,
  TicketCreated,
  type MailSendRequestedPayload,
  type TicketView,
} from '@ensoras/contracts';
import { checkEnvelope } from './envelope-check.js';
import { PermanentEventError } from './event-failure.js';

/** An event of this spec only: the contracts have no schema of it, so only the envelope is checked. */
const Probed = defineEvent<{ ticketId: string }>('ticket', 'probed', 2);

const ticket: TicketView = {
  id: '6f1c2b1e-0000-4000-8000-000000000001',
  projectId: 'p1',
  subject: 'Where is my order?',
  status: 'open',
  customer: { address: 'ann@customer.test', name: 'Ann' },
  messageCount: 1,
  handoffReason: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const sendRequest: MailSendRequestedPayload = {
  outboundMessageId: 'm1',
  ticketId: ticket.id,
  from: { address: 'support@acme.test', name: 'Acme' },
  to: [{ address: 'ann@customer.test', name: 'Ann' }],
  cc: [],
  subject: 'Re: Where is my order?',
  messageId: '<m1@acme.test>',
  inReplyTo: null,
  references: [],
  text: 'On its way.',
  html: null,
  author: 'ai',
};

/** The reason a PermanentEventError gives for the data, or a failure when it accepts the data. */
function rejection(data: unknown, definition: Parameters<typeof checkEnvelope>[1]): string {
  try {
    checkEnvelope(data, definition);
  } catch (error) {
    expect(error).toBeInstanceOf(PermanentEventError);
    return (error as Error).message;
  }
  throw new Error('the envelope was accepted');
}

describe('checkEnvelope', () => {
  it('accepts an envelope of the definition, also of an older version', () => {
    const envelope = createEnvelope(Probed, 'p1', { ticketId: 't1' });
    expect(checkEnvelope(envelope, Probed)).toBe(envelope);
    expect(checkEnvelope({ ...envelope, version: 1 }, Probed).payload.ticketId).toBe('t1');
  });

  it.each([
    ['a string', 'hello', /not an envelope/],
    ['an envelope without id', { type: 'ticket.probed', version: 2, projectId: 'p1', payload: {} }, /no id/],
    ['another event type', { id: 'e', type: 'ticket.updated', version: 2, projectId: 'p1', payload: {} }, /expected a ticket.probed event/],
    ['a newer major version', { id: 'e', type: 'ticket.probed', version: 3, projectId: 'p1', payload: {} }, /major version 3 is unknown here \(up to 2\)/],
    ['a version that is no major version', { id: 'e', type: 'ticket.probed', version: 1.5, projectId: 'p1', payload: {} }, /version 1.5 is not a major version/],
    ['no version', { id: 'e', type: 'ticket.probed', projectId: 'p1', payload: {} }, /version undefined is not a major version/],
    ['no payload', { id: 'e', type: 'ticket.probed', version: 2, projectId: 'p1', payload: null }, /has no payload/],
  ])('rejects %s as a permanent failure', (_, data, reason) => {
    expect(rejection(data, Probed)).toMatch(reason);
  });
});

describe('checkEnvelope against the JSON Schema of the event (docs/events)', () => {
  it('accepts a valid event, with fields it does not know yet in the envelope and the payload', () => {
    const envelope = createEnvelope(TicketCreated, 'p1', { ticket });
    expect(checkEnvelope(envelope, TicketCreated)).toBe(envelope);
    const grown = { ...envelope, trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, payload: { ticket, addedLater: 1 } };
    expect(checkEnvelope(grown, TicketCreated)).toBe(grown);
  });

  it('names the missing field', () => {
    const { subject: _, ...withoutSubject } = ticket;
    expect(rejection(createEnvelope(TicketCreated, 'p1', { ticket: withoutSubject as TicketView }), TicketCreated)).toBe(
      'ticket.created v1 is invalid: payload.ticket.subject: is required',
    );
    expect(rejection(createEnvelope(ReplyHandoff, 'p1', { reason: 'limit' } as never), ReplyHandoff)).toBe(
      'reply.handoff v1 is invalid: payload.ticketId: is required',
    );
  });

  it('names a field of the wrong type, also inside a list', () => {
    expect(rejection(createEnvelope(TicketCreated, 'p1', { ticket: { ...ticket, subject: 42 as unknown as string } }), TicketCreated)).toMatch(
      /payload\.ticket\.subject: must be string$/,
    );
    const badRecipient = { ...sendRequest, to: [{ address: 7, name: 'Ann' }] } as unknown as MailSendRequestedPayload;
    expect(rejection(createEnvelope(MailSendRequested, 'p1', badRecipient), MailSendRequested)).toMatch(/payload\.to\[0\]\.address: must be string$/);
  });

  it('names the allowed values of an enumeration', () => {
    const unknownStatus = { ...ticket, status: 'pending' } as unknown as TicketView;
    expect(rejection(createEnvelope(TicketCreated, 'p1', { ticket: unknownStatus }), TicketCreated)).toMatch(
      /payload\.ticket\.status: must be one of "open", "answered", "draft_ready", "needs_human", "closed", "handed_off"$/,
    );
  });

  it('checks the envelope fields too', () => {
    const envelope = { ...createEnvelope(TicketCreated, 'p1', { ticket }), occurredAt: 12 };
    expect(rejection(envelope, TicketCreated)).toMatch(/occurredAt: must be string$/);
    expect(rejection({ ...createEnvelope(TicketCreated, 'p1', { ticket }), projectId: 'a.b' }, TicketCreated)).toMatch(/projectId: must match pattern/);
  });

  it('rejects a major version newer than the contracts, whatever its payload', () => {
    const future = { ...createEnvelope(TicketCreated, 'p1', { ticket }), version: TicketCreated.version + 1 };
    expect(rejection(future, TicketCreated)).toBe(`ticket.created major version ${TicketCreated.version + 1} is unknown here (up to ${TicketCreated.version})`);
  });

  it('accepts what older events of the same major version carry', () => {
    const handedOff = { ...ticket, status: 'handed_off' } as unknown as TicketView;
    expect(checkEnvelope(createEnvelope(TicketCreated, 'p1', { ticket: handedOff }), TicketCreated).payload.ticket.status).toBe('handed_off');
    const beforeIssue3 = {
      source: { mailbox: 'INBOX', uidValidity: '1', uid: 1 },
      rawObjectKey: 'p1/1/1',
      size: 100,
      messageId: '<a@customer.test>',
      messageIdGenerated: false,
      inReplyTo: null,
      references: [],
      subject: 'Hello',
      from: null,
      to: [],
      cc: [],
      replyTo: [],
      date: null,
      headers: {},
      text: 'Hello',
      html: null,
      truncated: false,
      attachments: [],
      classification: { kind: 'normal', reasons: [] },
    };
    expect(() => checkEnvelope(createEnvelope(MailReceived, 'p1', beforeIssue3 as never), MailReceived)).not.toThrow();
  });
});
