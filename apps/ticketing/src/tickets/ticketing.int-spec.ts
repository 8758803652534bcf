import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  createEnvelope,
  MailFailed,
  MailReceived,
  MailSendRequested,
  MailSent,
  ReplyProposed,
  type EventDefinition,
  type EventEnvelope,
  type MailReceivedPayload,
  type MailSendRequestedPayload,
  type TicketDetailView,
  type TicketMessageView,
  type TicketPage,
  type TicketUpdatedPayload,
  type TicketView,
} from '@ensoras/contracts';
import { startService } from '@ensoras/runtime';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { TicketingEnvironment } from '../config/ticketing.environment.js';
import { channelSettings, mailReceivedPayload } from '../test-support/ticketing-harness.js';

const ADMIN_TOKEN = 'ticketing-test-admin-token';
const PROJECT = 'p-main';
/** A project without channel settings: no identity to send from. */
const BARE_PROJECT = 'p-bare';
const PAGING_PROJECT = 'p-paging';
const SUPPORT = { address: 'support@acme.example', name: 'Acme Support' };
const ANNA = { address: 'Anna@Customer.Example', name: 'Anna Example' };
const BOB = { address: 'bob@other.example', name: 'Bob Other' };

let nats: NatsTestServer;
let database: TestDatabase;
let dataDir: string;
let app: INestApplication;
let baseUrl: string;
let nc: NatsConnection;
let js: JetStreamClient;
const observers: ConsumerMessages[] = [];

interface Observed {
  subject: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each assertion narrows to the payload it reads
  envelope: EventEnvelope<any>;
}

beforeAll(async () => {
  [nats, database, dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'ticketing-int-'))]);
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  // What channel-config would have replicated: same bucket options as KeyValueBuckets, key = projectId.
  const bucket = await new Kvm(nc).create(CHANNEL_SETTINGS_BUCKET, { storage: StorageType.File, history: 1 });
  await bucket.put(PROJECT, JSON.stringify(channelSettings(PROJECT)));
  app = await startTicketing();
  baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  for (const observer of observers) await observer.close();
  await app?.close();
  await nc?.close();
  await nats?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('ticketing: threading received mail', () => {
  it('opens a ticket for a new mail, with the customer and the message as received', async () => {
    const first = await deliver(PROJECT, { subject: 'Order 42 is late', from: ANNA, text: 'Where is my order?' });
    const ticket = await ticketWith(PROJECT, first.messageId);
    expect(ticket).toMatchObject({
      projectId: PROJECT,
      subject: 'Order 42 is late',
      status: 'open',
      customer: { address: 'anna@customer.example', name: 'Anna Example' },
      messageCount: 1,
    });
    expect(ticket.messages).toEqual([
      expect.objectContaining({
        direction: 'inbound',
        author: 'customer',
        from: ANNA,
        to: [SUPPORT],
        subject: 'Order 42 is late',
        text: 'Where is my order?',
        messageId: first.messageId,
        deliveryStatus: 'received',
        kind: 'normal',
      }),
    ]);
  });

  it('keeps the same Message-ID delivered twice (different envelopes) as one message', async () => {
    const mail = await deliver(PROJECT, { subject: 'Printer on fire', from: BOB });
    await deliver(PROJECT, { ...mail, source: { ...mail.source, uid: mail.source.uid + 1000 } });
    await settled();
    const tickets = (await allTickets(PROJECT)).filter((t) => t.subject === 'Printer on fire');
    expect(tickets).toHaveLength(1);
    const detail = await ticketDetail(PROJECT, tickets[0]!.id);
    expect(detail.messageCount).toBe(1);
    expect(detail.messages).toHaveLength(1);
  });

  it('joins a reply by In-Reply-To, by References alone, and by a reply-prefixed subject of the same customer', async () => {
    const first = await deliver(PROJECT, { subject: 'Refund for invoice 7', from: ANNA });
    const ticket = await ticketWith(PROJECT, first.messageId);

    const byInReplyTo = await deliver(PROJECT, { subject: 'Re: Refund for invoice 7', from: ANNA, inReplyTo: first.messageId });
    const byReferences = await deliver(PROJECT, { subject: 'something else entirely', from: ANNA, references: ['<unknown@x.example>', first.messageId] });
    // Different case of the address, stacked prefixes in two languages, no threading headers at all.
    const bySubject = await deliver(PROJECT, { subject: 'RE: Aw: Refund for invoice 7', from: { address: 'anna@customer.example', name: 'Anna' } });

    const detail = await eventually(async () => {
      const current = await ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 4 && current;
    });
    expect(detail.messages.map((m) => m.messageId)).toEqual([first.messageId, byInReplyTo.messageId, byReferences.messageId, bySubject.messageId]);
    expect(detail.subject).toBe('Refund for invoice 7');
  });

  it('opens a new ticket for the same subject from another customer, and for a prefix-less repeat', async () => {
    const first = await deliver(PROJECT, { subject: 'Password reset', from: ANNA });
    const fromBob = await deliver(PROJECT, { subject: 'Re: Password reset', from: BOB });
    const annaAgain = await deliver(PROJECT, { subject: 'Password reset', from: ANNA });
    const ids = await Promise.all([first, fromBob, annaAgain].map(async (mail) => (await ticketWith(PROJECT, mail.messageId)).id));
    expect(new Set(ids).size).toBe(3);
    expect((await ticketWith(PROJECT, fromBob.messageId)).customer.address).toBe('bob@other.example');
  });

  it('takes the customer from Reply-To when there is one', async () => {
    const mail = await deliver(PROJECT, {
      subject: 'Via the web form',
      from: { address: 'noreply@forms.example', name: 'Web form' },
      replyTo: [{ address: 'Carla@Customer.Example', name: 'Carla' }],
    });
    expect((await ticketWith(PROJECT, mail.messageId)).customer).toEqual({ address: 'carla@customer.example', name: 'Carla' });
  });

  it('lands a reply that arrives before its original on the same ticket', async () => {
    const originalId = `<${randomUUID()}@customer.example>`;
    const reply = await deliver(PROJECT, { subject: 'Re: Out of order', from: ANNA, inReplyTo: originalId, references: [originalId] });
    const ticket = await ticketWith(PROJECT, reply.messageId);
    await deliver(PROJECT, { messageId: originalId, subject: 'Out of order', from: ANNA });
    const detail = await eventually(async () => {
      const current = await ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 2 && current;
    });
    expect(detail.messages.map((m) => m.messageId).sort()).toEqual([originalId, reply.messageId].sort());
  });

  it('never opens a ticket for our own mail, but records it on the ticket it continues', async () => {
    const first = await deliver(PROJECT, { subject: 'Own mail test', from: BOB });
    const ticket = await ticketWith(PROJECT, first.messageId);
    const own = { kind: 'own' as const, reasons: ['From: the channel address'] };
    const lonely = await deliver(PROJECT, { subject: 'A note to self', from: SUPPORT, classification: own });
    const continuing = await deliver(PROJECT, { subject: 'Re: Own mail test', from: SUPPORT, inReplyTo: first.messageId, classification: own });
    await settled();

    const detail = await ticketDetail(PROJECT, ticket.id);
    expect(detail.messages.at(-1)).toMatchObject({ messageId: continuing.messageId, kind: 'own', author: 'agent', kindReasons: own.reasons });
    const everything = await Promise.all((await allTickets(PROJECT)).map((t) => ticketDetail(PROJECT, t.id)));
    expect(everything.flatMap((t) => t.messages).some((m) => m.messageId === lonely.messageId)).toBe(false);
  });
});

describe('ticketing: replies and delivery', () => {
  it('records an AI reply with our Message-ID, requests its sending, and threads the customer answer to it', async () => {
    const sendRequests = await observe('MAIL', `mail.${PROJECT}.send.requested`);
    const first = await deliver(PROJECT, { subject: 'Broken zipper', from: ANNA });
    const ticket = await ticketWith(PROJECT, first.messageId);
    const second = await deliver(PROJECT, { subject: 'Re: Broken zipper', from: ANNA, inReplyTo: first.messageId, references: [first.messageId] });
    const received = await eventually(async () => {
      const current = await ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 2 && current.messages;
    });

    const responseId = randomUUID();
    const proposal = { responseId, ticketId: ticket.id, answersMessageIds: received.map((m) => m.id), text: 'We are on it.', html: '<p>We are on it.</p>', author: 'ai' as const };
    await publish(ReplyProposed, PROJECT, proposal);
    // The same proposal again (a redelivery, or the responder retrying) must not become a second mail.
    await publish(ReplyProposed, PROJECT, proposal);

    const answered = await eventually(async () => {
      const current = await ticketDetail(PROJECT, ticket.id);
      return current.status === 'answered' && current;
    });
    const outgoing = answered.messages.filter((m) => m.direction === 'outbound');
    expect(outgoing).toHaveLength(1);
    const reply = outgoing[0]!;
    expect(reply).toMatchObject({
      author: 'ai',
      from: SUPPORT,
      to: [ANNA],
      subject: 'Re: Broken zipper',
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      inReplyTo: second.messageId,
      references: [first.messageId, second.messageId],
      deliveryStatus: 'queued',
    });
    expect(reply.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.example>$/);

    const request = await eventually(() => sendRequests.find((e) => e.envelope.payload.outboundMessageId === reply.id));
    expect(request.envelope.type).toBe(MailSendRequested.type);
    expect(request.envelope.payload as MailSendRequestedPayload).toEqual({
      outboundMessageId: reply.id,
      ticketId: ticket.id,
      from: SUPPORT,
      to: [ANNA],
      cc: [],
      subject: 'Re: Broken zipper',
      messageId: reply.messageId,
      inReplyTo: second.messageId,
      references: [first.messageId, second.messageId],
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      author: 'ai',
    });

    // The customer answers our mail: only our Message-ID connects it, the subject says nothing.
    const answer = await deliver(PROJECT, { subject: 'Thanks!', from: ANNA, inReplyTo: reply.messageId, references: [first.messageId, second.messageId, reply.messageId] });
    const reopened = await eventually(async () => {
      const current = await ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 4 && current;
    });
    expect(reopened.messages.at(-1)!.messageId).toBe(answer.messageId);
    expect(reopened.status).toBe('open');
    expect(sendRequests.filter((e) => e.envelope.payload.ticketId === ticket.id)).toHaveLength(1);
  });

  it('settles deliveryStatus from mail.sent and mail.failed, idempotently', async () => {
    const first = await deliver(PROJECT, { subject: 'Delivery reports', from: BOB });
    const ticket = await ticketWith(PROJECT, first.messageId);
    const aiReply = await proposeAndWait(ticket.id, 'First answer');
    const agentResponse = await postReply(ticket.id, { text: 'Second answer, by a person', html: '<p>Second answer</p>' });
    expect(agentResponse.status).toBe(201);
    const agentReply = (await agentResponse.json()) as TicketMessageView;
    expect(agentReply).toMatchObject({
      author: 'agent',
      direction: 'outbound',
      deliveryStatus: 'queued',
      from: SUPPORT,
      to: [BOB],
      subject: 'Re: Delivery reports',
      inReplyTo: first.messageId,
      references: [first.messageId],
      html: '<p>Second answer</p>',
    });
    const thirdReply = await proposeAndWait(ticket.id, 'Third answer');

    const sent = (reply: TicketMessageView) => ({ outboundMessageId: reply.id, ticketId: ticket.id, messageId: reply.messageId, sentAt: new Date().toISOString(), smtpResponse: '250 OK' });
    // mail.sent twice (a redelivery) changes the message once.
    await publish(MailSent, PROJECT, sent(aiReply));
    await publish(MailSent, PROJECT, sent(aiReply));
    await eventually(async () => (await ticketDetail(PROJECT, ticket.id)).messages.find((m) => m.id === aiReply.id)!.deliveryStatus === 'sent');
    // A late failure report for a mail that went out does not undo it; it is handled before the next failure report.
    await publish(MailFailed, PROJECT, { outboundMessageId: aiReply.id, ticketId: ticket.id, messageId: aiReply.messageId, code: 'timeout', reason: 'late', permanent: false });
    await publish(MailFailed, PROJECT, { outboundMessageId: agentReply.id, ticketId: ticket.id, messageId: agentReply.messageId, code: 'auth_failed', reason: '535 Authentication failed', permanent: true });
    // Handled after the duplicate mail.sent (same consumer, in order).
    await publish(MailSent, PROJECT, sent(thirdReply));

    const deliveryUpdates = async () =>
      (await readAll('TICKETS', `ticket.${PROJECT}.updated`))
        .map((e) => e.envelope.payload as TicketUpdatedPayload)
        .filter((p) => p.ticket.id === ticket.id && p.changes.includes('message.deliveryStatus'));
    await eventually(async () => {
      const updates = await deliveryUpdates();
      return updates.some((p) => p.message?.id === agentReply.id) && updates.some((p) => p.message?.id === thirdReply.id);
    });

    const settledTicket = await ticketDetail(PROJECT, ticket.id);
    const byId = (id: string) => settledTicket.messages.find((m) => m.id === id)!;
    expect(byId(aiReply.id)).toMatchObject({ deliveryStatus: 'sent', deliveryNote: null });
    expect(byId(thirdReply.id)).toMatchObject({ deliveryStatus: 'sent' });
    expect(byId(agentReply.id).deliveryStatus).toBe('failed');
    expect(byId(agentReply.id).deliveryNote).toContain('535 Authentication failed');

    // One ticket.updated per real change, each carrying the message and only that change.
    const updates = await deliveryUpdates();
    expect(updates.map((p) => [p.message?.id, p.message?.deliveryStatus]).sort()).toEqual(
      [
        [aiReply.id, 'sent'],
        [agentReply.id, 'failed'],
        [thirdReply.id, 'sent'],
      ].sort(),
    );
    expect(updates.filter((p) => p.message?.id !== agentReply.id).every((p) => p.changes.length === 1)).toBe(true);
    // The reply that failed for good puts the ticket in a human's queue, saying why, in the same update.
    expect(updates.find((p) => p.message?.id === agentReply.id)!.changes.sort()).toEqual(['handoffReason', 'message.deliveryStatus', 'status']);
    expect(settledTicket).toMatchObject({ status: 'needs_human' });
    expect(settledTicket.handoffReason).toMatch(/^Our reply was not delivered: auth_failed: 535 Authentication failed/);
  });

  it('records nothing for a project whose channel has no identity', async () => {
    const mail = await deliver(BARE_PROJECT, { subject: 'No identity here', from: BOB });
    const ticket = await ticketWith(BARE_PROJECT, mail.messageId);
    await publish(ReplyProposed, BARE_PROJECT, { responseId: randomUUID(), ticketId: ticket.id, answersMessageIds: [ticket.messages[0]!.id], text: 'x', html: null, author: 'ai' });
    // A later proposal that is recorded proves the earlier one was handled (one consumer, in order).
    const other = await ticketWith(PROJECT, (await deliver(PROJECT, { subject: 'Barrier', from: BOB })).messageId);
    await proposeAndWait(other.id, 'barrier');
    expect((await ticketDetail(BARE_PROJECT, ticket.id)).messages).toHaveLength(1);

    const response = await postReply(ticket.id, { text: 'hello' }, BARE_PROJECT);
    expect(response.status).toBe(409);
  });
});

describe('ticketing: events on TICKETS', () => {
  it('publishes created, message.created and updated per project, replayable from the start', async () => {
    const projectEvents = await observe('TICKETS', `ticket.${PROJECT}.>`);
    const mail = await deliver(PROJECT, { subject: 'Events please', from: ANNA });
    const ticket = await ticketWith(PROJECT, mail.messageId);
    await deliver(PROJECT, { subject: 'Re: Events please', from: ANNA, inReplyTo: mail.messageId });
    await deliver(BARE_PROJECT, { subject: 'Events elsewhere', from: BOB });

    const ofTicket = await eventually(() => {
      const events = projectEvents.filter((e) => e.envelope.payload.ticket.id === ticket.id);
      return events.length >= 4 && events;
    });
    expect(ofTicket.map((e) => e.subject)).toEqual([
      `ticket.${PROJECT}.created`,
      `ticket.${PROJECT}.message.created`,
      `ticket.${PROJECT}.message.created`,
      `ticket.${PROJECT}.updated`,
    ]);
    expect(ofTicket[0]!.envelope).toMatchObject({ type: 'ticket.created', version: 1, projectId: PROJECT, payload: { ticket: { id: ticket.id, subject: 'Events please', messageCount: 1 } } });
    expect(ofTicket[1]!.envelope.payload.message).toMatchObject({ messageId: mail.messageId, author: 'customer' });
    expect(ofTicket[3]!.envelope.payload).toMatchObject({ ticket: { messageCount: 2 }, changes: ['messageCount'] });
    expect(projectEvents.every((e) => e.envelope.projectId === PROJECT && e.subject.startsWith(`ticket.${PROJECT}.`))).toBe(true);
    // Envelope ids are unique: a consumer de-duplicates by them.
    expect(new Set(projectEvents.map((e) => e.envelope.id)).size).toBe(projectEvents.length);

    // A subscriber that starts late replays every project's ticket.created from the beginning.
    const created = await readAll('TICKETS', 'ticket.*.created');
    const projects = new Set(created.map((e) => e.envelope.projectId));
    expect(projects.has(PROJECT) && projects.has(BARE_PROJECT)).toBe(true);
    expect(created.every((e) => e.envelope.type === 'ticket.created')).toBe(true);
  });
});

describe('ticketing: inbox API', () => {
  it('walks 30 tickets newest first, each exactly once, with a cursor', async () => {
    const subjects = Array.from({ length: 30 }, (_, i) => `Paging ${String(i).padStart(2, '0')}`);
    for (const subject of subjects) await deliver(PAGING_PROJECT, { subject, from: { address: `c${subject.slice(-2)}@paging.example`, name: '' } });
    await eventually(async () => (await page(PAGING_PROJECT, '?limit=100')).items.length === 30, { timeoutMs: 20_000 });

    const seen: TicketView[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const current: TicketPage = await page(PAGING_PROJECT, `?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(current.items.length).toBeLessThanOrEqual(7);
      seen.push(...current.items);
      cursor = current.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(new Set(seen.map((t) => t.id)).size).toBe(30);
    // Newest first: the mails were handled in order, so the subjects come back reversed.
    expect(seen.map((t) => t.subject)).toEqual([...subjects].reverse());
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.createdAt >= seen[i]!.createdAt).toBe(true);

    const defaults = await page(PAGING_PROJECT, '');
    expect(defaults.items).toHaveLength(25);
    expect(defaults.nextCursor).not.toBeNull();
  });

  it('filters by status', async () => {
    const answered = await page(PROJECT, '?status=answered&limit=100');
    expect(answered.items.length).toBeGreaterThan(0);
    expect(answered.items.every((t) => t.status === 'answered')).toBe(true);
    const open = await page(PROJECT, '?status=open&limit=100');
    expect(open.items.every((t) => t.status === 'open')).toBe(true);
    expect(open.items.some((t) => answered.items.some((a) => a.id === t.id))).toBe(false);
  });

  it('answers 401 without the admin token, on every route', async () => {
    const ticket = (await page(PROJECT, '?limit=1')).items[0]!;
    for (const [path, init] of [
      [`/v1/projects/${PROJECT}/tickets`, {}],
      [`/v1/projects/${PROJECT}/tickets/${ticket.id}`, {}],
      [`/v1/projects/${PROJECT}/tickets/${ticket.id}/replies`, { method: 'POST', body: JSON.stringify({ text: 'x' }), headers: { 'content-type': 'application/json' } }],
    ] as const) {
      expect((await fetch(baseUrl + path, init)).status).toBe(401);
      const wrong = await fetch(baseUrl + path, { ...init, headers: { ...(init as { headers?: object }).headers, authorization: 'Bearer wrong-token-wrong-token' } });
      expect(wrong.status).toBe(401);
    }
  });

  it('answers 404 for an unknown ticket, a malformed id and another project’s ticket', async () => {
    const ticket = (await page(PROJECT, '?limit=1')).items[0]!;
    expect((await api(`/v1/projects/${PROJECT}/tickets/${randomUUID()}`)).status).toBe(404);
    expect((await api(`/v1/projects/${PROJECT}/tickets/not-a-uuid`)).status).toBe(404);
    expect((await api(`/v1/projects/${BARE_PROJECT}/tickets/${ticket.id}`)).status).toBe(404);
    expect((await postReply(randomUUID(), { text: 'x' })).status).toBe(404);
    expect((await postReply(ticket.id, { text: 'x' }, BARE_PROJECT)).status).toBe(404);
  });

  it('answers 400 naming the field for bad queries and bodies', async () => {
    const expectBadRequest = async (response: Response, field: string) => {
      expect(response.status).toBe(400);
      const body = (await response.json()) as { message: string[] };
      expect(body.message.some((line) => line.startsWith(`${field}:`))).toBe(true);
    };
    await expectBadRequest(await api(`/v1/projects/${PROJECT}/tickets?limit=101`), 'limit');
    await expectBadRequest(await api(`/v1/projects/${PROJECT}/tickets?limit=0`), 'limit');
    await expectBadRequest(await api(`/v1/projects/${PROJECT}/tickets?limit=ten`), 'limit');
    await expectBadRequest(await api(`/v1/projects/${PROJECT}/tickets?status=pending`), 'status');
    await expectBadRequest(await api(`/v1/projects/${PROJECT}/tickets?cursor=not-one-of-ours`), 'cursor');
    await expectBadRequest(await api(`/v1/projects/bad.project/tickets`), 'projectId');
    const ticket = (await page(PROJECT, '?limit=1')).items[0]!;
    await expectBadRequest(await postReply(ticket.id, {}), 'text');
    await expectBadRequest(await postReply(ticket.id, { text: '' }), 'text');
    await expectBadRequest(await postReply(ticket.id, { text: 'ok', html: 42 }), 'html');
    const before = await ticketDetail(PROJECT, ticket.id);
    expect(before.messageCount).toBe(before.messages.length);
  });
});

// ---------------------------------------------------------------------------------------------------------------

let uid = 0;

async function startTicketing(): Promise<INestApplication> {
  const environment = Object.assign(new TicketingEnvironment(), {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: 0,
    ADMIN_TOKEN,
  });
  return startService({ name: 'ticketing', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'ticketing' });
}

async function publish<T>(definition: EventDefinition<T>, projectId: string, payload: T): Promise<EventEnvelope<T>> {
  const envelope = createEnvelope(definition, projectId, payload);
  await js.publish(definition.subject(projectId), JSON.stringify(envelope), { msgID: envelope.id });
  return envelope;
}

/** Publishes mail.received as mail-ingest would; returns the payload. */
async function deliver(projectId: string, overrides: Partial<MailReceivedPayload>): Promise<MailReceivedPayload> {
  uid++;
  const payload = mailReceivedPayload(projectId, uid, { from: ANNA, to: [SUPPORT], ...overrides });
  await publish(MailReceived, projectId, payload);
  return payload;
}

/**
 * Resolves once every mail of the project published before it has been handled and its ticket events are on TICKETS:
 * a project's events are handled in order (other projects' at the same time, so the marker must be the project's own),
 * and the outbox relay publishes in order.
 */
async function settled(projectId = PROJECT): Promise<void> {
  const subject = `marker ${randomUUID()}`;
  await deliver(projectId, { subject, from: { address: 'marker@customer.example', name: 'Marker' } });
  await eventually(async () => (await readAll('TICKETS', `ticket.${projectId}.created`)).some((e) => e.envelope.payload.ticket.subject === subject), {
    message: 'marker mail never became a ticket',
  });
}

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(baseUrl + path, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
}

async function page(projectId: string, query: string): Promise<TicketPage> {
  const response = await api(`/v1/projects/${projectId}/tickets${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as TicketPage;
}

async function allTickets(projectId: string): Promise<TicketView[]> {
  return (await page(projectId, '?limit=100')).items;
}

async function ticketDetail(projectId: string, ticketId: string): Promise<TicketDetailView> {
  const response = await api(`/v1/projects/${projectId}/tickets/${ticketId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as TicketDetailView;
}

/** The ticket holding the message with this Message-ID, once it is there. */
async function ticketWith(projectId: string, messageId: string): Promise<TicketDetailView> {
  return eventually(
    async () => {
      for (const ticket of await allTickets(projectId)) {
        const detail = await ticketDetail(projectId, ticket.id);
        if (detail.messages.some((m) => m.messageId === messageId)) return detail;
      }
      return undefined;
    },
    { message: `no ticket in ${projectId} holds ${messageId}` },
  );
}

function postReply(ticketId: string, body: object, projectId = PROJECT): Promise<Response> {
  return api(`/v1/projects/${projectId}/tickets/${ticketId}/replies`, { method: 'POST', body: JSON.stringify(body) });
}

/** Proposes an AI reply answering the ticket's customer messages and waits until it is recorded. */
async function proposeAndWait(ticketId: string, text: string): Promise<TicketMessageView> {
  const detail = await ticketDetail(PROJECT, ticketId);
  const answersMessageIds = detail.messages.filter((m) => m.direction === 'inbound').map((m) => m.id);
  await publish(ReplyProposed, PROJECT, { responseId: randomUUID(), ticketId, answersMessageIds, text, html: null, author: 'ai' });
  return eventually(async () => (await ticketDetail(PROJECT, ticketId)).messages.find((m) => m.direction === 'outbound' && m.text === text));
}

/** Subscribes as another service would: a durable consumer with a subject filter, replaying from the start. */
async function observe(stream: string, filter: string): Promise<Observed[]> {
  const jsm = await jetstreamManager(nc);
  const name = `observer-${randomUUID().slice(0, 8)}`;
  await jsm.consumers.add(stream, { durable_name: name, filter_subject: filter, deliver_policy: DeliverPolicy.All, ack_policy: AckPolicy.Explicit });
  const messages = await (await js.consumers.get(stream, name)).consume();
  observers.push(messages);
  const seen: Observed[] = [];
  void (async () => {
    for await (const message of messages) {
      seen.push({ subject: message.subject, envelope: message.json() });
      message.ack();
    }
  })();
  return seen;
}

/** Everything on the stream matching the filter so far, read with an ordered (ephemeral) consumer. */
async function readAll(stream: string, filter: string): Promise<Observed[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.All });
  const seen: Observed[] = [];
  for (;;) {
    const message = await consumer.next({ expires: 1_000 });
    if (!message) return seen;
    seen.push({ subject: message.subject, envelope: message.json() });
    if (message.info.pending === 0) return seen;
  }
}
