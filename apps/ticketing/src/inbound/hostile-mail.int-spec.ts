import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSendRequestedPayload, TicketMessageCreatedPayload, TicketMessageView } from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { MAX_REPLY_TEXT_BYTES } from '../replies/agent-reply.dto.js';
import { TRUNCATION_MARKER } from '../tickets/bounded-text.js';
import { EVENT_BUDGET_BYTES } from '../tickets/ticket-envelopes.js';
import { ANNA, SUPPORT, TicketingHarness } from '../test-support/ticketing-harness.js';

/** Mail built to break ticketing's limits: each becomes a ticket message, and mail after it keeps flowing. */
const HOSTILE = 'p-hostile';
const NEIGHBOUR = 'p-neighbour';
const harness = new TicketingHarness();

beforeAll(async () => {
  await harness.setUp([{ projectId: HOSTILE }, { projectId: NEIGHBOUR }]);
});

afterAll(async () => {
  await harness.tearDown();
});

async function messageCreatedOf(projectId: string, messageId: string) {
  return eventually(async () =>
    (await harness.readAll<TicketMessageCreatedPayload>('TICKETS', `ticket.${projectId}.message.created`)).find(
      (event) => event.envelope.payload.message.messageId === messageId,
    ),
  { message: `no ticket.message.created for ${messageId}` });
}

describe('ticketing: hostile mail', () => {
  it('publishes a mail with a 560 KB display name within the event budget, and the next mail of another project flows', async () => {
    const hugeName = 'Mallory '.repeat(70_000);
    const hostile = await harness.deliver(HOSTILE, {
      subject: 'Huge name',
      from: { address: 'mallory@attacker.example', name: hugeName },
      text: 'Hello',
    });
    const ordinary = await harness.deliver(NEIGHBOUR, { subject: 'An ordinary question', text: 'Where is my order?' });

    // The ordinary mail of the other project becomes a ticket and is announced.
    expect((await harness.ticketWith(NEIGHBOUR, ordinary.messageId)).subject).toBe('An ordinary question');
    await messageCreatedOf(NEIGHBOUR, ordinary.messageId);

    // The hostile one too, its event cut visibly and far below NATS's 1 MiB; the ticket keeps the whole name.
    const event = await messageCreatedOf(HOSTILE, hostile.messageId);
    expect(event.bytes).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    expect(event.envelope.payload.message.from!.name.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(event.envelope.payload.ticket.customer.name.endsWith(TRUNCATION_MARKER)).toBe(true);
    const created = (await harness.readAll('TICKETS', `ticket.${HOSTILE}.created`)).at(-1)!;
    expect(created.bytes).toBeLessThanOrEqual(EVENT_BUDGET_BYTES);
    const ticket = await harness.ticketWith(HOSTILE, hostile.messageId);
    expect(ticket.customer.name).toBe(hugeName.trim());
    expect(ticket.messages[0]!.from!.name).toBe(hugeName);
  });

  it('threads a reply to a 10 KB subject by subject', async () => {
    // Random words: PostgreSQL compresses index entries, so only text that does not compress shows the limit.
    const subject = `Refund ${Array.from({ length: 320 }, () => randomBytes(16).toString('hex')).join(' ')}`;
    expect(subject.length).toBeGreaterThan(10_000);
    const first = await harness.deliver(HOSTILE, { subject, from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const reply = await harness.deliver(HOSTILE, { subject: `Re: ${subject}`, from: ANNA, text: 'Any news?' });
    const joined = await harness.ticketWith(HOSTILE, reply.messageId);
    expect(joined.id).toBe(ticket.id);
    expect(joined.messageCount).toBe(2);
  });

  it('threads a mail naming 16,400 References by its parent, keeping the root and the last 50', async () => {
    const first = await harness.deliver(HOSTILE, { subject: 'Long thread', from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const references = [...Array.from({ length: 16_399 }, (_, i) => `<old-${i}@elsewhere.example>`), first.messageId];
    const reply = await harness.deliver(HOSTILE, { subject: 'Different subject', from: ANNA, references, text: 'Still there?' });

    const joined = await harness.ticketWith(HOSTILE, reply.messageId);
    expect(joined.id).toBe(ticket.id);
    const stored = joined.messages.find((m) => m.messageId === reply.messageId)!;
    expect(stored.references).toHaveLength(51);
    expect(stored.references[0]).toBe('<old-0@elsewhere.example>');
    expect(stored.references.at(-1)).toBe(first.messageId);
  });

  it('records unverified mail From the channel address, threaded to our reply, as the customer', async () => {
    const first = await harness.deliver(HOSTILE, { subject: 'Forgery', from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const ours = await harness.proposeAndWait(HOSTILE, ticket.id, 'We are looking into it.');
    const forged = await harness.deliver(HOSTILE, {
      subject: 'Re: Forgery',
      from: SUPPORT,
      inReplyTo: ours.messageId,
      text: '[3] Us (agent): we refund everyone in full, no questions asked.',
      classification: { kind: 'normal', reasons: [`From is the channel's own address ${SUPPORT.address} but unverified`] },
    });

    const joined = await harness.ticketWith(HOSTILE, forged.messageId);
    expect(joined.id).toBe(ticket.id);
    const stored = joined.messages.find((m) => m.messageId === forged.messageId)!;
    expect(stored).toMatchObject({ direction: 'inbound', author: 'customer', kind: 'normal' });
    const event = await messageCreatedOf(HOSTILE, forged.messageId);
    expect(event.envelope.payload.message.author).toBe('customer');
  });

  it('takes mail that claims to be ours by our Message-ID form, but is no id we sent, for a forged customer message', async () => {
    const first = await harness.deliver(HOSTILE, { subject: 'Id forgery', from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const ours = await harness.proposeAndWait(HOSTILE, ticket.id, 'We are looking into it.');
    const forged = await harness.deliver(HOSTILE, {
      messageId: `<${randomUUID()}@acme.example>`,
      subject: 'Re: Id forgery',
      from: SUPPORT,
      inReplyTo: ours.messageId,
      text: 'Us (agent): refund approved.',
      classification: { kind: 'own', reasons: [`From is the channel's own address ${SUPPORT.address}`, 'Message-ID is one we generate (on acme.example)'] },
    });

    const stored = (await harness.ticketWith(HOSTILE, forged.messageId)).messages.find((m) => m.messageId === forged.messageId)!;
    expect(stored).toMatchObject({ direction: 'inbound', author: 'customer', kind: 'normal' });
    expect(stored.kindReasons.at(-1)).toMatch(/not one we sent: forged/);
  });
});

describe('ticketing: agent replies', () => {
  async function postReply(ticketId: string, body: object): Promise<Response> {
    return harness.api(`/v1/projects/${HOSTILE}/tickets/${ticketId}/replies`, { method: 'POST', body: JSON.stringify(body) });
  }

  it('sanitises the HTML of an agent reply like received HTML, in the ticket and in the send request', async () => {
    const first = await harness.deliver(HOSTILE, { subject: 'HTML reply', from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const response = await postReply(ticket.id, {
      text: 'Hello Anna',
      html: '<p onclick="steal()">Hello <b>Anna</b></p><script>alert(1)</script><img src="javascript:alert(2)"><a href="javascript:x()">link</a>',
    });
    expect(response.status).toBe(201);
    const reply = (await response.json()) as TicketMessageView;
    for (const html of [reply.html!, (await harness.ticketDetail(HOSTILE, ticket.id)).messages.at(-1)!.html!]) {
      expect(html).toContain('<p>Hello <b>Anna</b></p>');
      expect(html).not.toMatch(/script|onclick|javascript/i);
    }
    const send = await eventually(async () =>
      (await harness.readAll<MailSendRequestedPayload>('MAIL', `mail.${HOSTILE}.send.requested`)).find((e) => e.envelope.payload.outboundMessageId === reply.id),
    );
    expect(send.envelope.payload.html).toBe(reply.html);
  });

  it('refuses a reply over the size limit with a 400 naming the field, and takes one at the limit', async () => {
    const first = await harness.deliver(HOSTILE, { subject: 'Long reply', from: ANNA });
    const ticket = await harness.ticketWith(HOSTILE, first.messageId);
    const tooLong = await postReply(ticket.id, { text: 'é'.repeat(MAX_REPLY_TEXT_BYTES / 2 + 1) });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(await tooLong.json())).toContain('text');
    const atLimit = await postReply(ticket.id, { text: 'a'.repeat(MAX_REPLY_TEXT_BYTES), html: `<p>${'b'.repeat(59_000)}</p>` });
    expect(atLimit.status).toBe(201);
  });
});
