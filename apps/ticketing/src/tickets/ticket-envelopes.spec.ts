import { describe, expect, it } from 'vitest';
import type {
  MailSendRequestedPayload,
  TicketClosedPayload,
  TicketDraftCreatedPayload,
  TicketHandoffPayload,
  TicketMessageCreatedPayload,
  TicketUpdatedPayload,
} from '@ensoras/contracts';
import { TRUNCATION_MARKER } from './bounded-text.js';
import {
  EVENT_BUDGET_BYTES,
  eventBytes,
  mailSendRequested,
  ticketClosed,
  ticketCreated,
  ticketDraftCreated,
  ticketHandoff,
  ticketMessageCreated,
  ticketUpdated,
} from './ticket-envelopes.js';
import { TicketMessage } from './ticket-message.entity.js';
import { Ticket } from './ticket.entity.js';

const HUGE_NAME = 'N'.repeat(560 * 1024);

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return Object.assign(new Ticket(), {
    id: '00000000-0000-4000-8000-000000000001',
    projectId: 'p1',
    subject: 'Order 42',
    subjectKey: 'order 42',
    customerAddress: 'anna@customer.example',
    customerName: 'Anna',
    status: 'open',
    messageCount: 1,
    createdAt: new Date('2026-01-01T10:00:00Z'),
    updatedAt: new Date('2026-01-01T10:00:00Z'),
    ...overrides,
  });
}

function message(overrides: Partial<TicketMessage> = {}): TicketMessage {
  return Object.assign(new TicketMessage(), {
    id: '00000000-0000-4000-8000-000000000002',
    ticketId: '00000000-0000-4000-8000-000000000001',
    projectId: 'p1',
    direction: 'inbound',
    author: 'customer',
    from: { address: 'anna@customer.example', name: 'Anna' },
    to: [{ address: 'support@acme.example', name: 'Support' }],
    cc: [],
    replyTo: [],
    subject: 'Order 42',
    text: 'Where is my order?',
    newText: 'Where is my order?',
    html: null,
    attachments: [],
    note: null,
    date: null,
    messageId: '<m1@customer.example>',
    inReplyTo: null,
    references: [],
    deliveryStatus: 'received',
    deliveryNote: null,
    kind: 'normal',
    kindReasons: [],
    responseId: null,
    rawObjectKey: null,
    createdAt: new Date('2026-01-01T10:00:00Z'),
    ...overrides,
  });
}

describe('ticket events within the budget', () => {
  it('leaves an ordinary message exactly as recorded', () => {
    const envelope = ticketMessageCreated(ticket(), message());
    const payload = envelope.payload as TicketMessageCreatedPayload;
    expect(payload.message).toMatchObject({ text: 'Where is my order?', newText: 'Where is my order?', from: { name: 'Anna' }, subject: 'Order 42' });
    expect(payload.ticket.customer).toEqual({ address: 'anna@customer.example', name: 'Anna' });
  });

  it('cuts a 560 KB display name in every event, with the marker, far below 1 MiB', () => {
    const big = ticket({ customerName: HUGE_NAME });
    const mail = message({ from: { address: 'anna@customer.example', name: HUGE_NAME }, to: [{ address: 'support@acme.example', name: HUGE_NAME }] });
    for (const envelope of [ticketCreated(big), ticketMessageCreated(big, mail), ticketUpdated(big, ['messageCount'], { message: mail })]) {
      expect(eventBytes(envelope)).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
      const text = JSON.stringify(envelope);
      expect(text).toContain(`NNN${TRUNCATION_MARKER}`);
      expect(text).not.toContain('N'.repeat(1_000));
    }
    const payload = ticketMessageCreated(big, mail).payload as TicketMessageCreatedPayload;
    expect(payload.message.from!.address).toBe('anna@customer.example');
    expect(payload.message.from!.name.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('keeps the message bodies as large as the budget allows, each cut visibly', () => {
    const text = 'Lorem ipsum dolor sit amet. '.repeat(40_000);
    const html = `<div>${'<p>Lorem <b>ipsum</b> dolor</p>'.repeat(40_000)}</div>`;
    const envelope = ticketMessageCreated(ticket({ subject: 'S'.repeat(10_000) }), message({ text, newText: text, html, subject: 'S'.repeat(10_000) }));
    const bytes = eventBytes(envelope);
    expect(bytes).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    expect(bytes).toBeGreaterThan(EVENT_BUDGET_BYTES - 64);
    const { message: view, ticket: ticketView } = envelope.payload as TicketMessageCreatedPayload;
    for (const body of [view.text, view.newText, view.html!, view.subject, ticketView.subject]) expect(body.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(view.text.length).toBeGreaterThan(60_000);
    const htmlStart = view.html!.slice(0, -TRUNCATION_MARKER.length);
    expect(htmlStart.lastIndexOf('<') < htmlStart.lastIndexOf('>'), 'the HTML ends inside a tag').toBe(true);
  });

  it('bounds lists: recipients, attachments, reasons and references', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ address: `r${i}@example.com`, name: `Recipient ${i}` }));
    const attachments = Array.from({ length: 5_000 }, (_, i) => ({ filename: `f${i}.pdf`, contentType: 'application/pdf', size: 10, contentId: null, inline: false }));
    const references = Array.from({ length: 51 }, (_, i) => `<${'r'.repeat(900)}${i}@example.com>`);
    const envelope = ticketUpdated(ticket(), ['message.deliveryStatus'], { message: message({ to: many, cc: many, attachments, references, kindReasons: many.map((m) => m.name) }) });
    expect(eventBytes(envelope)).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    const view = (envelope.payload as TicketUpdatedPayload).message!;
    expect(view.to).toHaveLength(20);
    expect(view.attachments[0]!.filename).toBe('f0.pdf');
    expect(view.references[0]).toBe(references[0]);
    expect(view.references.at(-1)).toBe(references.at(-1));
    expect(view.text).toBe('Where is my order?');
  });

  it('leaves most of the budget to the bodies even when every other field is at its cap', () => {
    const huge = '\u0001'.repeat(100_000);
    const address = { address: huge, name: huge };
    const worst = message({
      from: address,
      to: Array.from({ length: 100 }, () => address),
      cc: Array.from({ length: 100 }, () => address),
      replyTo: [address],
      subject: huge,
      attachments: Array.from({ length: 100 }, () => ({ filename: huge, contentType: huge, size: 1, contentId: huge, inline: true })),
      note: huge,
      deliveryNote: huge,
      kindReasons: Array.from({ length: 100 }, () => huge),
      references: Array.from({ length: 51 }, (_, i) => `<${'é'.repeat(990)}${i}@x>`),
      messageId: `<${'é'.repeat(990)}@x>`,
      inReplyTo: `<${'é'.repeat(990)}@y>`,
      text: huge,
      newText: huge,
      html: `<p>${huge}</p>`,
    });
    const envelope = ticketUpdated(ticket({ subject: huge, customerName: huge, customerAddress: huge }), ['messageCount'], { message: worst });
    expect(eventBytes(envelope)).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    const view = (envelope.payload as TicketUpdatedPayload).message!;
    const bodyBytes = Buffer.byteLength(JSON.stringify([view.text, view.newText, view.html]));
    expect(bodyBytes).toBeGreaterThan(100_000);
  });

  it('keeps a send request of an ordinary reply whole, and a monstrous one under the budget', () => {
    const reply = message({ direction: 'outbound', author: 'agent', from: { address: 'support@acme.example', name: 'Acme' }, text: 'Hello Anna', html: '<p>Hello Anna</p>' });
    const ordinary = mailSendRequested(ticket(), reply, 'agent').payload as MailSendRequestedPayload;
    expect(ordinary).toMatchObject({ text: 'Hello Anna', html: '<p>Hello Anna</p>', to: reply.to, author: 'agent' });

    const monstrous = mailSendRequested(ticket(), { ...reply, text: '\u0001'.repeat(400_000), html: '<p>x</p>'.repeat(100_000), to: [{ address: 'anna@customer.example', name: HUGE_NAME }] } as TicketMessage, 'ai');
    expect(eventBytes(monstrous)).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    expect((monstrous.payload as MailSendRequestedPayload).to[0]!.address).toBe('anna@customer.example');
  });
});

describe('the events of issue 9', () => {
  const sources = [
    { articleId: 'kb-1', title: 'Returns', url: 'https://help.acme.example/returns' },
    { articleId: 'kb-2', title: 'Shipping', url: null },
  ];

  it('says what the status was, only when the status changed', () => {
    const reopened = ticketUpdated(ticket(), ['messageCount', 'status'], { previousStatus: 'closed' }).payload as TicketUpdatedPayload;
    expect(reopened).toMatchObject({ changes: ['messageCount', 'status'], previousStatus: 'closed' });
    const counted = ticketUpdated(ticket(), ['messageCount'], { previousStatus: 'open' }).payload as TicketUpdatedPayload;
    expect('previousStatus' in counted).toBe(false);
  });

  it('announces a draft with its id, its sources and the draft itself', () => {
    const draft = message({ id: '00000000-0000-4000-8000-000000000003', direction: 'outbound', author: 'ai', deliveryStatus: 'draft', sources });
    const envelope = ticketDraftCreated(ticket({ status: 'draft_ready' }), draft);
    expect(envelope.type).toBe('ticket.draft.created');
    expect(envelope.payload as TicketDraftCreatedPayload).toMatchObject({
      ticketId: '00000000-0000-4000-8000-000000000001',
      messageId: draft.id,
      sources,
      ticket: { status: 'draft_ready' },
      message: { id: draft.id, deliveryStatus: 'draft', sources },
    });
  });

  it('bounds the sources of a message: how many, and each field', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ articleId: `kb-${i}`.repeat(100), title: 'T'.repeat(10_000), url: `https://x.example/${'p'.repeat(5_000)}` }));
    const envelope = ticketDraftCreated(ticket(), message({ direction: 'outbound', deliveryStatus: 'draft', sources: many, text: 'x'.repeat(300_000) }));
    expect(eventBytes(envelope)).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    const payload = envelope.payload as TicketDraftCreatedPayload;
    expect(payload.sources).toHaveLength(20);
    expect(payload.sources[0]!.url).toBeNull();
    expect(Buffer.byteLength(payload.sources[0]!.title)).toBeLessThanOrEqual(500);
  });

  it('says who handed a ticket off and why, and what a closed ticket was', () => {
    const handedOff = ticket({ status: 'needs_human', handoffReason: 'Asked for a person' });
    expect(ticketHandoff(handedOff, 'agent').payload as TicketHandoffPayload).toMatchObject({ by: 'agent', reason: 'Asked for a person', ticket: { status: 'needs_human' } });
    const closed = ticketClosed(ticket({ status: 'closed' }), 'answered');
    expect(closed.type).toBe('ticket.closed');
    expect(closed.payload as TicketClosedPayload).toMatchObject({ previousStatus: 'answered', ticket: { status: 'closed' } });
  });
});
