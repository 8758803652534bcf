import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ReplyHandoff,
  ReplyProposed,
  type EventEnvelope,
  type MailSendRequestedPayload,
  type ReplyProposedPayload,
  type ReplySource,
  type TicketClosedPayload,
  type TicketDetailView,
  type TicketDraftCreatedPayload,
  type TicketHandoffPayload,
  type TicketMessageCreatedPayload,
  type TicketMessageView,
  type TicketPage,
  type TicketUpdatedPayload,
  type TicketView,
} from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { published } from '../test-support/outgoing-batches-harness.js';
import { ANNA, BOB, CAROL, DAVE, TicketingHarness } from '../test-support/ticketing-harness.js';

/** Issue 9: handoff, resume-ai and close through the API, a closed ticket reopened by mail, drafts, the status filter. */
const STATES = 'p-states';
const REOPEN = 'p-reopen';
const DRAFTS = 'p-drafts';
const FILTER = 'p-filter';
const harness = new TicketingHarness();

beforeAll(async () => {
  await harness.setUp([STATES, REOPEN, DRAFTS, FILTER].map((projectId) => ({ projectId })));
});

afterAll(async () => {
  await harness.tearDown();
});

/** What the API answered; the body as JSON, null when there is none. */
interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each assertion reads the fields it checks
  body: any;
}

async function post(path: string, body?: unknown, token?: string | null): Promise<Answer> {
  const init = { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const response = token === undefined ? await harness.api(path, init) : await harness.api(path, init, token);
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function remove(path: string): Promise<Answer> {
  const response = await harness.api(path, { method: 'DELETE' });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** A ticket opened by one customer mail; its mail's Message-ID for replies to it. */
async function openTicket(projectId: string, subject: string, from = ANNA): Promise<{ ticket: TicketDetailView; mailId: string }> {
  const mail = await harness.deliver(projectId, { subject, from });
  return { ticket: await harness.ticketWith(projectId, mail.messageId), mailId: mail.messageId };
}

/** Publishes an AI proposal as ai-responder would. */
function propose(projectId: string, ticketId: string, text: string, overrides: Partial<ReplyProposedPayload> = {}): Promise<EventEnvelope<ReplyProposedPayload>> {
  return harness.publish(ReplyProposed, projectId, { responseId: randomUUID(), ticketId, answersMessageIds: [], text, html: null, author: 'ai', ...overrides });
}

/** The outgoing message with this text, once recorded. */
function outgoing(projectId: string, ticketId: string, text: string): Promise<TicketMessageView> {
  return eventually(async () => (await harness.ticketDetail(projectId, ticketId)).messages.find((m) => m.direction === 'outbound' && m.text === text), {
    message: `"${text}" was not recorded`,
  });
}

/** A proposal for another ticket, recorded: everything proposed before it was handled (one consumer, in order). */
async function proposalsHandled(projectId: string): Promise<void> {
  const { ticket } = await openTicket(projectId, `Barrier ${randomUUID()}`, DAVE);
  await harness.proposeAndWait(projectId, ticket.id, `barrier ${randomUUID()}`);
}

/** The ticket's status changes as published: [changes, status, previousStatus]. */
async function statusUpdates(projectId: string, ticketId: string) {
  return (await published<TicketUpdatedPayload>(harness, 'TICKETS', `ticket.${projectId}.updated`))
    .filter((e) => e.payload.ticket.id === ticketId && e.payload.changes.includes('status'))
    .map((e) => [e.payload.changes, e.payload.ticket.status, e.payload.previousStatus]);
}

describe('ticketing: handoff, resume-ai and close by an agent', () => {
  it('moves the ticket through the API, refuses what makes no sense, and announces every change', async () => {
    const { ticket } = await openTicket(STATES, 'Need a person');
    const base = `/v1/projects/${STATES}/tickets/${ticket.id}`;

    // The admin token, as everywhere in the inbox API; the reason is required and bounded.
    expect((await post(`${base}/handoff`, { reason: 'x' }, null)).status).toBe(401);
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(1_001) }, { reason: 42 }]) {
      const refused = await post(`${base}/handoff`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.message.every((line: string) => line.startsWith('reason: '))).toBe(true);
    }
    expect((await post(`/v1/projects/${STATES}/tickets/${randomUUID()}/handoff`, { reason: 'x' })).status).toBe(404);
    expect((await post(`/v1/projects/${STATES}/tickets/not-a-ticket/close`)).status).toBe(404);
    // Another project's ticket is unknown here.
    expect((await post(`/v1/projects/${REOPEN}/tickets/${ticket.id}/close`)).status).toBe(404);
    expect((await post(`${base}/resume-ai`)).status).toBe(409);

    const handedOff = await post(`${base}/handoff`, { reason: 'The customer asked for a manager' });
    expect(handedOff.status).toBe(200);
    expect(handedOff.body as TicketView).toMatchObject({ id: ticket.id, status: 'needs_human', handoffReason: 'The customer asked for a manager' });
    const again = await post(`${base}/handoff`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/needs_human already/);

    // The AI's reply that crossed the handoff is not recorded, nor is a draft.
    await propose(STATES, ticket.id, 'AI after the handoff');
    await propose(STATES, ticket.id, 'AI draft after the handoff', { draft: true });
    await proposalsHandled(STATES);
    expect((await harness.ticketDetail(STATES, ticket.id)).messages.filter((m) => m.direction === 'outbound')).toEqual([]);

    expect((await post(`${base}/resume-ai`)).body).toMatchObject({ status: 'open', handoffReason: 'The customer asked for a manager' });
    expect((await post(`${base}/resume-ai`)).status).toBe(409);
    // Given back, the AI answers again.
    await harness.proposeAndWait(STATES, ticket.id, 'AI after resuming');
    expect((await harness.ticketDetail(STATES, ticket.id)).status).toBe('answered');

    const closed = await post(`${base}/close`);
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
    for (const action of ['close', 'resume-ai']) expect((await post(`${base}/${action}`)).status).toBe(409);
    expect((await post(`${base}/handoff`, { reason: 'too late' })).status).toBe(409);

    expect(await statusUpdates(STATES, ticket.id)).toEqual([
      [['status', 'handoffReason'], 'needs_human', 'open'],
      [['status'], 'open', 'needs_human'],
      [['messageCount', 'status'], 'answered', 'open'],
      [['status'], 'closed', 'answered'],
    ]);
    const handoffs = (await published<TicketHandoffPayload>(harness, 'TICKETS', `ticket.${STATES}.handoff`)).filter((e) => e.payload.ticket.id === ticket.id);
    expect(handoffs.map((e) => [e.type, e.payload.by, e.payload.reason, e.payload.ticket.status])).toEqual([
      ['ticket.handoff', 'agent', 'The customer asked for a manager', 'needs_human'],
    ]);
    const closes = (await published<TicketClosedPayload>(harness, 'TICKETS', `ticket.${STATES}.closed`)).filter((e) => e.payload.ticket.id === ticket.id);
    expect(closes.map((e) => [e.type, e.payload.previousStatus, e.payload.ticket.status])).toEqual([['ticket.closed', 'answered', 'closed']]);
  });

  it("announces the AI's handoff with who did it", async () => {
    const { ticket } = await openTicket(STATES, 'Robot loop', BOB);
    await harness.publish(ReplyHandoff, STATES, { ticketId: ticket.id, reason: 'AI reply limit reached' });
    const [handoff] = await eventually(async () => {
      const events = (await harness.readAll<TicketHandoffPayload>('TICKETS', `ticket.${STATES}.handoff`)).filter((e) => e.envelope.payload.ticket.id === ticket.id);
      return events.length > 0 && events;
    });
    expect(handoff!.envelope.payload).toMatchObject({ by: 'ai', reason: 'AI reply limit reached', ticket: { status: 'needs_human' } });
  });
});

describe('ticketing: a closed ticket', () => {
  it('takes no AI reply, and is reopened by a new customer mail, which the AI may answer', async () => {
    const { ticket, mailId } = await openTicket(REOPEN, 'Broken lamp');
    expect((await post(`/v1/projects/${REOPEN}/tickets/${ticket.id}/close`)).status).toBe(200);
    await propose(REOPEN, ticket.id, 'AI reply to a closed ticket');
    await proposalsHandled(REOPEN);
    expect((await harness.ticketDetail(REOPEN, ticket.id)).messages.some((m) => m.direction === 'outbound')).toBe(false);

    // An auto-reply does not reopen it; the customer does.
    await harness.deliver(REOPEN, { subject: 'Re: Broken lamp', inReplyTo: mailId, classification: { kind: 'out-of-office', reasons: ['test'] } });
    await eventually(async () => (await harness.ticketDetail(REOPEN, ticket.id)).messageCount === 2);
    expect((await harness.ticketDetail(REOPEN, ticket.id)).status).toBe('closed');
    await harness.deliver(REOPEN, { subject: 'Re: Broken lamp', inReplyTo: mailId, text: 'It broke again.' });
    await eventually(async () => (await harness.ticketDetail(REOPEN, ticket.id)).messageCount === 3);
    expect((await harness.ticketDetail(REOPEN, ticket.id)).status).toBe('open');
    await harness.proposeAndWait(REOPEN, ticket.id, 'Sorry to hear, a new one is on its way.');

    expect(await statusUpdates(REOPEN, ticket.id)).toEqual([
      [['status'], 'closed', 'open'],
      [['messageCount', 'status'], 'open', 'closed'],
      [['messageCount', 'status'], 'answered', 'open'],
    ]);
  });
});

describe('ticketing: drafts', () => {
  const sources: ReplySource[] = [
    { articleId: 'kb-12', title: 'Returns and refunds', url: 'https://help.acme.example/returns' },
    { articleId: 'kb-40', title: 'Shipping times', url: null },
  ];

  /** A draft proposed for the ticket, once recorded. */
  async function draftOn(ticketId: string, text: string, extra: Partial<ReplyProposedPayload> = {}): Promise<TicketMessageView> {
    await propose(DRAFTS, ticketId, text, { draft: true, sources, ...extra });
    return outgoing(DRAFTS, ticketId, text);
  }

  const sendRequestsOf = async (messageId: string) =>
    (await published<MailSendRequestedPayload>(harness, 'MAIL', `mail.${DRAFTS}.send.requested`)).filter((e) => e.payload.outboundMessageId === messageId);

  it('keeps a draft without sending it, and sends it edited by an agent through the normal path', async () => {
    const { ticket, mailId } = await openTicket(DRAFTS, 'Refund please');
    const draft = await draftOn(ticket.id, 'You can return it within 30 days.');
    expect(draft).toMatchObject({ direction: 'outbound', author: 'ai', deliveryStatus: 'draft', inReplyTo: mailId, sources });
    const drafted = await harness.ticketDetail(DRAFTS, ticket.id);
    // Not part of the conversation yet: not counted, not sent, not announced as a message.
    expect(drafted).toMatchObject({ status: 'draft_ready', messageCount: 1 });
    expect(await sendRequestsOf(draft.id)).toEqual([]);
    const messageEvents = await published<TicketMessageCreatedPayload>(harness, 'TICKETS', `ticket.${DRAFTS}.message.created`);
    expect(messageEvents.some((e) => e.payload.message.id === draft.id)).toBe(false);
    const [created] = (await published<TicketDraftCreatedPayload>(harness, 'TICKETS', `ticket.${DRAFTS}.draft.created`)).filter((e) => e.payload.ticketId === ticket.id);
    expect(created!.payload).toMatchObject({ ticketId: ticket.id, messageId: draft.id, sources, ticket: { status: 'draft_ready' }, message: { id: draft.id, deliveryStatus: 'draft' } });

    const base = `/v1/projects/${DRAFTS}/tickets/${ticket.id}/drafts`;
    // HTML alone is no edit: the text is what every mail carries.
    const htmlOnly = await post(`${base}/${draft.id}/send`, { html: '<p>only html</p>' });
    expect(htmlOnly.status).toBe(400);
    expect(htmlOnly.body.message.every((line: string) => line.startsWith('text: '))).toBe(true);
    expect((await post(`${base}/${randomUUID()}/send`)).status).toBe(404);
    expect((await post(`/v1/projects/${DRAFTS}/tickets/${randomUUID()}/drafts/${draft.id}/send`)).status).toBe(404);

    const sent = await post(`${base}/${draft.id}/send`, { text: 'You can return it within 30 days; I have started the return for you.' });
    expect(sent.status).toBe(200);
    expect(sent.body as TicketMessageView).toMatchObject({
      id: draft.id,
      author: 'agent',
      deliveryStatus: 'queued',
      text: 'You can return it within 30 days; I have started the return for you.',
      messageId: draft.messageId,
      sources,
    });
    expect(await harness.ticketDetail(DRAFTS, ticket.id)).toMatchObject({ status: 'answered', messageCount: 2 });
    const [request] = await sendRequestsOf(draft.id);
    expect(request!.payload).toMatchObject({
      ticketId: ticket.id,
      text: 'You can return it within 30 days; I have started the return for you.',
      author: 'agent',
      messageId: draft.messageId,
      inReplyTo: mailId,
      references: [mailId],
      to: [{ address: ANNA.address }],
    });
    const announced = (await published<TicketMessageCreatedPayload>(harness, 'TICKETS', `ticket.${DRAFTS}.message.created`)).filter((e) => e.payload.message.id === draft.id);
    expect(announced.map((e) => [e.payload.message.author, e.payload.message.deliveryStatus])).toEqual([['agent', 'queued']]);

    // Once only.
    expect((await post(`${base}/${draft.id}/send`)).status).toBe(409);
    expect((await remove(`${base}/${draft.id}`)).status).toBe(409);
    expect(await sendRequestsOf(draft.id)).toHaveLength(1);

    expect(await statusUpdates(DRAFTS, ticket.id)).toEqual([
      [['status'], 'draft_ready', 'open'],
      [['messageCount', 'status'], 'answered', 'draft_ready'],
    ]);
  });

  it('sends a draft as the AI wrote it with the author ai', async () => {
    const { ticket } = await openTicket(DRAFTS, 'Shipping time', BOB);
    const draft = await draftOn(ticket.id, 'Shipping takes 2 days.', { html: '<p>Shipping takes 2 days.</p>' });
    // The same text and HTML again is no edit.
    const sent = await post(`/v1/projects/${DRAFTS}/tickets/${ticket.id}/drafts/${draft.id}/send`, { text: 'Shipping takes 2 days.', html: '<p>Shipping takes 2 days.</p>' });
    expect(sent.body).toMatchObject({ author: 'ai', deliveryStatus: 'queued', text: 'Shipping takes 2 days.' });
    const [request] = await sendRequestsOf(draft.id);
    expect(request!.payload).toMatchObject({ author: 'ai', text: 'Shipping takes 2 days.', html: '<p>Shipping takes 2 days.</p>' });
  });

  it('discards a draft: the ticket goes back to open, and the draft can be neither sent nor discarded again', async () => {
    const { ticket } = await openTicket(DRAFTS, 'Wrong colour', CAROL);
    const draft = await draftOn(ticket.id, 'We only have it in red.');
    const base = `/v1/projects/${DRAFTS}/tickets/${ticket.id}/drafts/${draft.id}`;
    const discarded = await remove(base);
    expect(discarded).toMatchObject({ status: 200, body: { id: draft.id, deliveryStatus: 'discarded' } });
    expect(await harness.ticketDetail(DRAFTS, ticket.id)).toMatchObject({ status: 'open', messageCount: 1 });
    expect((await remove(base)).status).toBe(409);
    const late = await post(`${base}/send`);
    expect(late).toMatchObject({ status: 409, body: { message: `Draft ${draft.id} was discarded` } });
    expect(await sendRequestsOf(draft.id)).toEqual([]);

    const discardUpdate = (await published<TicketUpdatedPayload>(harness, 'TICKETS', `ticket.${DRAFTS}.updated`)).find((e) => e.payload.message?.id === draft.id);
    expect(discardUpdate!.payload).toMatchObject({ changes: ['message.deliveryStatus', 'status'], previousStatus: 'draft_ready', ticket: { status: 'open' } });

    // Still the AI's to answer: a draft proposed later is kept again.
    await draftOn(ticket.id, 'Blue is back in stock.');
    expect((await harness.ticketDetail(DRAFTS, ticket.id)).status).toBe('draft_ready');
  });

  it('discards the drafts of a ticket an agent closes, and drafts anew when the customer writes again', async () => {
    const { ticket } = await openTicket(DRAFTS, 'Lamp shade size', ANNA);
    const draft = await draftOn(ticket.id, 'The shade is 40 cm wide.');
    const closed = await post(`/v1/projects/${DRAFTS}/tickets/${ticket.id}/close`);
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
    const detail = await harness.ticketDetail(DRAFTS, ticket.id);
    expect(detail.messages.find((message) => message.id === draft.id)).toMatchObject({ deliveryStatus: 'discarded' });
    const late = await post(`/v1/projects/${DRAFTS}/tickets/${ticket.id}/drafts/${draft.id}/send`);
    expect(late).toMatchObject({ status: 409, body: { message: `Draft ${draft.id} was discarded` } });
    expect(await sendRequestsOf(draft.id)).toEqual([]);
    const closeUpdate = (await published<TicketUpdatedPayload>(harness, 'TICKETS', `ticket.${DRAFTS}.updated`)).find(
      (e) => e.payload.ticket.id === ticket.id && e.payload.ticket.status === 'closed',
    );
    expect(closeUpdate!.payload).toMatchObject({ changes: ['status', 'drafts'], previousStatus: 'draft_ready' });
  });

  it('keeps the draft of a ticket handed to a human sendable, and the ticket with its human', async () => {
    const { ticket } = await openTicket(DRAFTS, 'Complaint', DAVE);
    const draft = await draftOn(ticket.id, 'We are sorry.');
    expect((await post(`/v1/projects/${DRAFTS}/tickets/${ticket.id}/handoff`, { reason: 'Angry customer' })).body.status).toBe('needs_human');
    const sent = await post(`/v1/projects/${DRAFTS}/tickets/${ticket.id}/drafts/${draft.id}/send`);
    expect(sent.status).toBe(200);
    expect(await harness.ticketDetail(DRAFTS, ticket.id)).toMatchObject({ status: 'needs_human', messageCount: 2 });
  });
});

describe('ticketing: the inbox filtered by status', () => {
  it('lists the tickets of one status or several, and names `status` for an unknown one', async () => {
    const open = (await openTicket(FILTER, 'Stays open')).ticket;
    const human = (await openTicket(FILTER, 'For a human', BOB)).ticket;
    const closed = (await openTicket(FILTER, 'Done', CAROL)).ticket;
    const drafted = (await openTicket(FILTER, 'Draft waits', DAVE)).ticket;
    await post(`/v1/projects/${FILTER}/tickets/${human.id}/handoff`, { reason: 'Asked for a person' });
    await post(`/v1/projects/${FILTER}/tickets/${closed.id}/close`);
    await propose(FILTER, drafted.id, 'A draft', { draft: true });
    await eventually(async () => (await harness.ticketDetail(FILTER, drafted.id)).status === 'draft_ready');

    const ids = async (query: string) => (await harness.json<TicketPage>(`/v1/projects/${FILTER}/tickets?${query}`)).items.map((t) => t.id);
    expect(await ids('status=needs_human')).toEqual([human.id]);
    expect(await ids('status=open,needs_human')).toEqual([human.id, open.id]);
    expect(await ids('status=open&status=closed')).toEqual([closed.id, open.id]);
    expect(await ids('status=draft_ready,closed,draft_ready')).toEqual([drafted.id, closed.id]);
    expect(await ids('status=open,needs_human&limit=1')).toEqual([human.id]);

    for (const query of ['status=handed_off', 'status=open,bogus', 'status=']) {
      const response = await harness.api(`/v1/projects/${FILTER}/tickets?${query}`);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { message: string[] };
      expect(body.message.every((line) => line.startsWith('status: ')), query).toBe(true);
    }
  });
});
