import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvelope,
  MailSent,
  ReplyHandoff,
  ReplyProposed,
  type BounceDetails,
  type ReplyHandoffPayload,
  type TicketMessageView,
  type TicketUpdatedPayload,
} from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { ANNA, SUPPORT, TicketingHarness } from '../test-support/ticketing-harness.js';
import type { UnattachedMailPage } from '@ensoras/contracts';

const PROJECT = 'p-machines';
const UNATTACHED = 'p-unattached';
const SMALL = 'p-small-limit';
const HANDOFF = 'p-handoff';
const DAEMON = { address: 'MAILER-DAEMON@mx.customer.example', name: 'Mail Delivery System' };
const harness = new TicketingHarness();

beforeAll(async () => {
  await harness.setUp([
    { projectId: PROJECT },
    { projectId: UNATTACHED },
    { projectId: HANDOFF },
    { projectId: SMALL, settings: { safety: { maxMessageSizeMb: 2, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 } } },
  ]);
});

afterAll(async () => {
  await harness.tearDown();
});

/** A ticket with a customer mail and our AI reply to it, reported sent by mail-outbound. */
async function answeredTicket(projectId: string, subject: string) {
  const first = await harness.deliver(projectId, { subject, from: ANNA });
  const ticket = await harness.ticketWith(projectId, first.messageId);
  const reply = await harness.proposeAndWait(projectId, ticket.id, `Answer to ${subject}`);
  await markSent(projectId, reply);
  return { ticket, first, reply };
}

async function markSent(projectId: string, reply: TicketMessageView): Promise<void> {
  await harness.publish(MailSent, projectId, { outboundMessageId: reply.id, ticketId: reply.ticketId, messageId: reply.messageId, sentAt: new Date().toISOString(), smtpResponse: '250 OK' });
  await eventually(async () => (await messageOf(projectId, reply)).deliveryStatus === 'sent');
}

async function messageOf(projectId: string, message: TicketMessageView): Promise<TicketMessageView> {
  return (await harness.ticketDetail(projectId, message.ticketId)).messages.find((m) => m.id === message.id)!;
}

function bounceOf(reply: TicketMessageView, overrides: Partial<BounceDetails> = {}): BounceDetails {
  return {
    originalMessageId: reply.messageId,
    recipient: ANNA.address,
    status: '5.1.1',
    action: 'failed',
    diagnostic: 'smtp; 550 5.1.1 <anna@customer.example>: Recipient address rejected: User unknown in virtual mailbox table',
    ...overrides,
  };
}

describe('ticketing: bounces of our replies', () => {
  it('attaches the bounce to the ticket, marks our reply bounced and announces it, without reopening the ticket', async () => {
    const { ticket, reply } = await answeredTicket(PROJECT, 'Where is my parcel');
    const bounce = await harness.deliver(PROJECT, {
      subject: 'Undelivered Mail Returned to Sender',
      from: DAEMON,
      text: 'This is the mail system at host mx.customer.example.\n\nI\'m sorry to have to inform you that your message could not be delivered.',
      classification: { kind: 'bounce', reasons: ['Content-Type: multipart/report; report-type=delivery-status'] },
      bounce: bounceOf(reply),
    });

    const detail = await eventually(async () => {
      const current = await harness.ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 3 && current;
    }, { message: 'the bounce did not join the ticket of the reply it reports on' });
    expect(detail.status).toBe('answered');
    expect(detail.messages.at(-1)).toMatchObject({ messageId: bounce.messageId, kind: 'bounce', direction: 'inbound' });
    const bounced = detail.messages.find((m) => m.id === reply.id)!;
    expect(bounced.deliveryStatus).toBe('bounced');
    expect(bounced.deliveryNote).toBe(
      'Bounced (5.1.1, anna@customer.example): smtp; 550 5.1.1 <anna@customer.example>: Recipient address rejected: User unknown in virtual mailbox table.',
    );

    const update = await eventually(async () =>
      (await harness.readAll<TicketUpdatedPayload>('TICKETS', `ticket.${PROJECT}.updated`)).find(
        (e) => e.envelope.payload.ticket.id === ticket.id && e.envelope.payload.changes.includes('message.deliveryStatus') && e.envelope.payload.message?.deliveryStatus === 'bounced',
      ),
    );
    expect(update.envelope.payload.changes).toEqual(['messageCount', 'message.deliveryStatus']);
    expect(update.envelope.payload.message).toMatchObject({ id: reply.id, deliveryStatus: 'bounced' });
    expect(update.envelope.payload.ticket).toMatchObject({ status: 'answered', messageCount: 3 });

    // A late (redelivered) sent report does not undo the bounce. A later report of another reply on the same
    // consumer tells when it was handled.
    await harness.publish(MailSent, PROJECT, { outboundMessageId: reply.id, ticketId: ticket.id, messageId: reply.messageId, sentAt: new Date().toISOString(), smtpResponse: '250 OK' });
    const other = await answeredTicket(PROJECT, 'Barrier for sent reports');
    expect(other.reply.id).not.toBe(reply.id);
    expect(await messageOf(PROJECT, reply)).toMatchObject({ deliveryStatus: 'bounced', deliveryNote: bounced.deliveryNote });
  });

  it('keeps a delayed reply sent, with a note, and names the original without angle brackets too', async () => {
    const { ticket, reply } = await answeredTicket(PROJECT, 'Delayed somewhere');
    await harness.deliver(PROJECT, {
      subject: 'Delivery Status Notification (Delay)',
      from: DAEMON,
      classification: { kind: 'bounce', reasons: ['From: MAILER-DAEMON'] },
      bounce: bounceOf(reply, { originalMessageId: reply.messageId.slice(1, -1), action: 'delayed', status: '4.4.7', diagnostic: 'Connection timed out' }),
    });
    const delayed = await eventually(async () => {
      const current = await harness.ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 3 && current.messages.find((m) => m.id === reply.id);
    });
    expect(delayed.deliveryStatus).toBe('sent');
    expect(delayed.deliveryNote).toBe('Delivery delayed (4.4.7, anna@customer.example): Connection timed out. The receiving server keeps trying.');
  });

  it('records an out-of-office answering our reply on the ticket without reopening it; the customer writing reopens it', async () => {
    const { ticket, first, reply } = await answeredTicket(PROJECT, 'Invoice copy');
    const away = await harness.deliver(PROJECT, {
      subject: 'Automatic reply: Re: Invoice copy',
      inReplyTo: reply.messageId,
      references: [first.messageId, reply.messageId],
      text: 'I am out of the office until Monday.',
      classification: { kind: 'out-of-office', reasons: ['Auto-Submitted: auto-replied'] },
    });
    const afterAway = await eventually(async () => {
      const current = await harness.ticketDetail(PROJECT, ticket.id);
      return current.messageCount === 3 && current;
    });
    expect(afterAway.status).toBe('answered');
    expect(afterAway.messages.at(-1)).toMatchObject({ messageId: away.messageId, kind: 'out-of-office', kindReasons: ['Auto-Submitted: auto-replied'] });

    await harness.deliver(PROJECT, { subject: 'Re: Invoice copy', inReplyTo: reply.messageId, text: 'Any news?' });
    await eventually(async () => (await harness.ticketDetail(PROJECT, ticket.id)).status === 'open');
  });
});

describe('ticketing: mail that belongs to no ticket', () => {
  it('opens no ticket for our own mail or machine mail about nothing known, and lists them for admins', async () => {
    const unknownBounce = await harness.deliver(UNATTACHED, {
      subject: 'Undeliverable: Newsletter',
      from: DAEMON,
      classification: { kind: 'bounce', reasons: ['From: MAILER-DAEMON'] },
      bounce: { originalMessageId: '<never-sent-by-us@elsewhere.example>', recipient: 'x@y.example', status: '5.0.0', action: 'failed', diagnostic: null },
    });
    const away = await harness.deliver(UNATTACHED, {
      subject: 'Out of office',
      text: 'Back on Monday.',
      classification: { kind: 'out-of-office', reasons: ['X-Autoreply: yes'] },
    });
    const own = await harness.deliver(UNATTACHED, { subject: 'Note to self', from: SUPPORT, classification: { kind: 'own', reasons: ['From: the channel address'] } });
    const receipt = await harness.deliver(UNATTACHED, { subject: 'Read: Hello', classification: { kind: 'read-receipt', reasons: ['disposition-notification'] } });
    // The same mail imported again is kept once.
    await harness.deliver(UNATTACHED, { ...own, source: { ...own.source, uid: own.source.uid + 1000 } });
    const customer = await harness.deliver(UNATTACHED, { subject: 'A real question' });
    await harness.mailSettled();

    const tickets = await harness.allTickets(UNATTACHED);
    expect(tickets.flatMap((t) => t.messages.map((m) => m.messageId))).toEqual([customer.messageId]);

    const page = await harness.json<UnattachedMailPage>(`/v1/projects/${UNATTACHED}/unattached-mail`);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((item) => item.messageId)).toEqual([receipt.messageId, own.messageId, away.messageId, unknownBounce.messageId]);
    expect(page.items[3]).toMatchObject({
      kind: 'bounce',
      kindReasons: ['From: MAILER-DAEMON'],
      reason: 'bounce that continues no known ticket',
      from: DAEMON,
      subject: 'Undeliverable: Newsletter',
      bounce: { originalMessageId: '<never-sent-by-us@elsewhere.example>', status: '5.0.0' },
      rawObjectKey: unknownBounce.rawObjectKey,
    });
    expect(page.items[1]).toMatchObject({ kind: 'own', reason: 'own mail that continues no known ticket', from: SUPPORT });
    expect(page.items[2]).toMatchObject({ kind: 'out-of-office', text: 'Back on Monday.', bounce: null });
    expect(Date.parse(page.items[0]!.receivedAt)).toBeGreaterThan(0);

    // Filter by kind, and page with a cursor.
    const bounces = await harness.json<UnattachedMailPage>(`/v1/projects/${UNATTACHED}/unattached-mail?kind=bounce`);
    expect(bounces.items.map((item) => item.messageId)).toEqual([unknownBounce.messageId]);
    const first = await harness.json<UnattachedMailPage>(`/v1/projects/${UNATTACHED}/unattached-mail?limit=3`);
    expect(first.items).toHaveLength(3);
    const second = await harness.json<UnattachedMailPage>(`/v1/projects/${UNATTACHED}/unattached-mail?limit=3&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [page.items[3]], nextCursor: null });
    // Another project sees none of it.
    expect((await harness.json<UnattachedMailPage>(`/v1/projects/${PROJECT}/unattached-mail`)).items).toEqual([]);
  });

  it('guards the listing with the admin token and names bad parameters', async () => {
    const path = `/v1/projects/${UNATTACHED}/unattached-mail`;
    expect((await harness.api(path, {}, null)).status).toBe(401);
    expect((await harness.api(path, {}, 'wrong-token-wrong-token')).status).toBe(401);
    for (const [query, field] of [['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?cursor=not-ours', 'cursor'], ['?kind=spam', 'kind']] as const) {
      const response = await harness.api(path + query);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string[] }).message.some((line) => line.startsWith(`${field}:`))).toBe(true);
    }
    expect((await harness.api('/v1/projects/bad.project/unattached-mail')).status).toBe(400);
  });
});

describe('ticketing: what a received message keeps', () => {
  it('keeps the new part of a reply, the attachment list, and notes for oversized or cut mail', async () => {
    const attachment = { filename: 'invoice.pdf', contentType: 'application/pdf', size: 1_234, contentId: null, inline: false };
    const plain = await harness.deliver(SMALL, {
      subject: 'Two parts',
      text: 'Yes, please send it.\n\nOn Mon, Anna wrote:\n> Shall we send the invoice?',
      newText: 'Yes, please send it.',
      attachments: [attachment],
    });
    const oversized = await harness.deliver(SMALL, { subject: 'Huge scan', size: 3 * 1024 * 1024, oversized: true, attachments: [attachment] });
    const cut = await harness.deliver(SMALL, { subject: 'Very long', truncated: true });

    const plainMessage = (await harness.ticketWith(SMALL, plain.messageId)).messages[0]!;
    expect(plainMessage).toMatchObject({ text: plain.text, newText: 'Yes, please send it.', attachments: [attachment], note: null });

    const oversizedMessage = (await harness.ticketWith(SMALL, oversized.messageId)).messages[0]!;
    expect(oversizedMessage.attachments).toEqual([]);
    expect(oversizedMessage.note).toBe("This mail is 3.0 MB, over the channel's size limit of 2 MB: its attachments were not kept. The original is in the mailbox.");

    const cutMessage = (await harness.ticketWith(SMALL, cut.messageId)).messages[0]!;
    expect(cutMessage.note).toMatch(/text was cut/);
    // An event from before newText existed (undefined is left out of the JSON): the whole text stands in.
    const old = await harness.deliver(SMALL, { subject: 'Old event', text: 'from before newText', newText: undefined });
    expect((await harness.ticketWith(SMALL, old.messageId)).messages[0]).toMatchObject({ text: 'from before newText', newText: 'from before newText' });
  });
});

describe('ticketing: handoff to a human', () => {
  it('marks the ticket needs_human once, keeps it there when the customer writes, and records no AI reply for it', async () => {
    const first = await harness.deliver(HANDOFF, { subject: 'Robot loop' });
    const ticket = await harness.ticketWith(HANDOFF, first.messageId);
    await harness.publish(ReplyHandoff, HANDOFF, { ticketId: ticket.id, reason: 'AI reply limit reached: 3 replies to this ticket within 60 minutes' });
    await harness.publish(ReplyHandoff, HANDOFF, { ticketId: ticket.id, reason: 'again' });
    // Handoffs for an unknown ticket and a malformed id are acknowledged, not retried forever.
    await harness.publish(ReplyHandoff, HANDOFF, { ticketId: randomUUID(), reason: 'unknown' });
    await harness.publish(ReplyHandoff, HANDOFF, { ticketId: 'not-a-uuid', reason: 'malformed' });
    // One without a ticket id, and one of a version this code does not know: no retry can help, so each is
    // dead-lettered at once with the envelope as it came.
    const withoutTicket = await harness.publish(ReplyHandoff, HANDOFF, { reason: 'no ticket' } as unknown as ReplyHandoffPayload);
    const future = { ...createEnvelope(ReplyHandoff, HANDOFF, { ticketId: ticket.id, reason: 'from the future' }), version: ReplyHandoff.version + 1 };
    await harness.publishRaw(ReplyHandoff.subject(HANDOFF), future);
    // A handoff of another ticket after them: once it shows, everything before it was handled (one consumer, in order).
    const barrier = await harness.ticketWith(HANDOFF, (await harness.deliver(HANDOFF, { subject: 'Barrier' })).messageId);
    await harness.publish(ReplyHandoff, HANDOFF, { ticketId: barrier.id, reason: 'barrier' });
    await eventually(async () => (await harness.ticketDetail(HANDOFF, barrier.id)).status === 'needs_human');
    const deadLetters = await harness.readAll<ReplyHandoffPayload>('DEADLETTER', `deadletter.ticketing.reply.${HANDOFF}.handoff`);
    expect(deadLetters.map((d) => d.envelope.id)).toEqual([withoutTicket.id, future.id]);

    expect((await harness.ticketDetail(HANDOFF, ticket.id)).status).toBe('needs_human');
    const statusUpdates = (await harness.readAll<TicketUpdatedPayload>('TICKETS', `ticket.${HANDOFF}.updated`)).filter(
      (e) => e.envelope.payload.ticket.id === ticket.id,
    );
    expect(statusUpdates.map((e) => [e.envelope.payload.changes, e.envelope.payload.ticket.status])).toEqual([[['status', 'handoffReason'], 'needs_human']]);
    // The ticket says why, in the API and in the event: the first reason, not the repeated handoff's.
    const reason = 'AI reply limit reached: 3 replies to this ticket within 60 minutes';
    expect(statusUpdates[0]!.envelope.payload.ticket.handoffReason).toBe(reason);
    expect((await harness.ticketDetail(HANDOFF, ticket.id)).handoffReason).toBe(reason);

    // The customer writes again: the ticket stays with the human.
    await harness.deliver(HANDOFF, { subject: 'Re: Robot loop', inReplyTo: first.messageId, text: 'Hello?' });
    await eventually(async () => (await harness.ticketDetail(HANDOFF, ticket.id)).messageCount === 2);
    expect((await harness.ticketDetail(HANDOFF, ticket.id)).status).toBe('needs_human');

    // An AI reply that crossed the handoff is not recorded; a later proposal for another ticket shows it was handled.
    await harness.publish(ReplyProposed, HANDOFF, { responseId: randomUUID(), ticketId: ticket.id, answersMessageIds: [], text: 'AI after handoff', html: null, author: 'ai' });
    const control = await harness.ticketWith(HANDOFF, (await harness.deliver(HANDOFF, { subject: 'Control' })).messageId);
    await harness.proposeAndWait(HANDOFF, control.id, 'control reply');
    expect((await harness.ticketDetail(HANDOFF, ticket.id)).messages.some((m) => m.direction === 'outbound')).toBe(false);

    // A person answers: that is what the handoff asked for. The ticket stays theirs until they close it or give it
    // back to the AI.
    const response = await harness.api(`/v1/projects/${HANDOFF}/tickets/${ticket.id}/replies`, { method: 'POST', body: JSON.stringify({ text: 'A human here.' }) });
    expect(response.status).toBe(201);
    expect(await harness.ticketDetail(HANDOFF, ticket.id)).toMatchObject({ status: 'needs_human', messageCount: 3 });
  });
});
