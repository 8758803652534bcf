import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView, TicketDetailView, TicketPage, TicketView } from '@ensoras/contracts';
import { type ChannelStack, type DovecotServer, eventually, PROJECT, type SmtpTestServer, startChannelStack, SUPPORT } from '@ensoras/testing';
import { plainMail } from './mail-builders.js';

/** Low on purpose, so the loop breaker trips within the test; per ticket higher, so the per-address limit is the one. */
const SAFETY = { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 10, maxAiRepliesPerAddress: 2, loopWindowMinutes: 60, maxAiRepliesPerHour: 300 };
/** The response delay is 0–1 s: this is several times that, for checks that nothing (more) is sent. */
const QUIET_PERIOD_MS = 5_000;
const LOOP_LENGTH = 20;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mail loops, end to end through all five services', () => {
  let stack: ChannelStack;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const ticketsOf = async (address: string): Promise<TicketView[]> =>
    (await api<TicketPage>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets?limit=100`)).body.items.filter(
      (t) => t.customer.address === address,
    );
  const ticket = async (id: string) => (await api<TicketDetailView>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets/${id}`)).body;
  /** What left through the project's SMTP server for one address: our replies as the customer receives them. */
  const mailTo = (address: string) => smtp.messages.filter((m) => m.envelopeTo.includes(address));
  const aiRepliesOn = (detail: TicketDetailView) => detail.messages.filter((m) => m.direction === 'outbound' && m.author === 'ai');

  /** A customer's first mail; resolves with the ticket once our first answer to it has left. */
  async function conversationWith(from: string, address: string, subject: string, body: string): Promise<TicketView> {
    await dovecot.deliver(SUPPORT.username, plainMail(from, { Subject: subject, 'Message-ID': `<start.${randomBytes(6).toString('hex')}@${address.split('@')[1]}>` }, body));
    const [created] = await eventually(async () => {
      const found = await ticketsOf(address);
      return found.length === 1 ? found : null;
    }, { timeoutMs: 30_000, message: `no ticket for ${address}` });
    await eventually(() => mailTo(address).length >= 1, { timeoutMs: 60_000, message: `no answer to ${address}` });
    return created;
  }

  /** Our newest reply to the address, by Message-ID: what an auto-responder answers. */
  const lastReplyTo = (address: string) => mailTo(address).at(-1)!.parsed.messageId!;

  beforeAll(async () => {
    stack = await startChannelStack('e2e-loops');
    ({ dovecot, smtp } = stack);
    const configured = await api<EmailChannelView>('channel-config', 'PUT', `/v1/projects/${PROJECT}/channels/email`, stack.channelSettings());
    expect(configured.status).toBe(200);
    // The limits through PATCH, merged into what the PUT stored: what an admin tightening them does.
    const tightened = await api<EmailChannelView>('channel-config', 'PATCH', `/v1/projects/${PROJECT}/channels/email`, {
      safety: { maxAiRepliesPerTicket: SAFETY.maxAiRepliesPerTicket, maxAiRepliesPerAddress: SAFETY.maxAiRepliesPerAddress },
    });
    expect(tightened.body.safety).toEqual(SAFETY);
    expect((await api('channel-config', 'POST', `/v1/projects/${PROJECT}/channels/email/enable`)).status).toBe(200);
  });

  // A failing scenario usually needs the services' side of the story: keep their output for it.
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(`answers an auto-responder once: ${LOOP_LENGTH} auto-replies to our reply get nothing back`, async () => {
    const address = 'bob@autoresponder.test';
    const subject = 'Question about invoice 77';
    const opened = await conversationWith(`Bob Brown <${address}>`, address, subject, 'Hi, invoice 77 lists two licences, we bought one. Can you fix it?');

    // Bob's mailbox answers every mail it gets with a vacation notice, each one to our latest reply.
    for (let n = 1; n <= LOOP_LENGTH; n++) {
      const ourLast = lastReplyTo(address);
      await dovecot.deliver(
        SUPPORT.username,
        plainMail(
          `Bob Brown <${address}>`,
          {
            Subject: `Automatic reply: Re: ${subject}`,
            'Message-ID': `<vacation.${n}@autoresponder.test>`,
            'In-Reply-To': ourLast,
            References: ourLast,
            'Auto-Submitted': 'auto-replied',
          },
          `I am on vacation until the 3rd and will read your message when I am back. (notice ${n})`,
        ),
      );
    }
    const recorded = await eventually(
      async () => {
        const detail = await ticket(opened.id);
        return detail.messages.filter((m) => m.messageId.startsWith('<vacation.')).length === LOOP_LENGTH ? detail : null;
      },
      { timeoutMs: 90_000, message: `the ${LOOP_LENGTH} auto-replies did not all reach the ticket` },
    );
    for (const notice of recorded.messages.filter((m) => m.messageId.startsWith('<vacation.'))) {
      expect(['auto-reply', 'out-of-office'], notice.messageId).toContain(notice.kind);
    }

    await pause(QUIET_PERIOD_MS);
    // The whole exchange holds exactly one AI reply: the answer to Bob's own question.
    expect(mailTo(address)).toHaveLength(1);
    const final = await ticket(opened.id);
    expect(aiRepliesOn(final)).toHaveLength(1);
    expect(await ticketsOf(address)).toHaveLength(1);
    // Machine mail does not put the answered ticket back into the queue.
    expect(final.status).toBe('answered');
  });

  it(`stops a responder without auto headers at ${SAFETY.maxAiRepliesPerAddress} AI replies and hands the ticket to a human`, async () => {
    const address = 'carol@noisy.test';
    const subject = 'Where is my refund?';
    const from = `Carol Noisy <${address}>`;
    const opened = await conversationWith(from, address, subject, 'I returned the kettle three weeks ago. Where is my refund?');

    // A misbehaving responder: plain mail, no auto headers, answering each of our replies at once. Mail by mail,
    // until the loop breaker hands the ticket over (or the loop ran its full length, which fails below).
    const plainReply = (n: number) => {
      const ourLast = lastReplyTo(address);
      return plainMail(
        from,
        { Subject: `Re: ${subject}`, 'Message-ID': `<noisy.${n}@noisy.test>`, 'In-Reply-To': ourLast, References: ourLast },
        `Thank you for your message. I still have not received my refund for the kettle. (${n})`,
      );
    };
    let delivered = 1;
    let handedOff = false;
    while (delivered < LOOP_LENGTH && !handedOff) {
      const answeredBefore = mailTo(address).length;
      delivered += 1;
      await dovecot.deliver(SUPPORT.username, plainReply(delivered));
      const outcome = await eventually(
        async () => {
          if ((await ticket(opened.id)).status === 'needs_human') return 'needs_human';
          return mailTo(address).length > answeredBefore ? 'answered' : null;
        },
        { timeoutMs: 60_000, message: `mail ${delivered} of the loop got neither an answer nor a hand-off` },
      );
      handedOff = outcome === 'needs_human';
    }
    expect(handedOff, `the loop breaker never tripped within ${LOOP_LENGTH} mails`).toBe(true);

    // The responder keeps going; the rest of its mails arrive in a burst, and none of them gets an answer.
    while (delivered < LOOP_LENGTH) {
      delivered += 1;
      await dovecot.deliver(SUPPORT.username, plainReply(delivered));
    }
    await eventually(
      async () => (await ticket(opened.id)).messages.filter((m) => m.messageId.startsWith('<noisy.')).length === LOOP_LENGTH - 1,
      { timeoutMs: 90_000, message: 'not every mail of the loop reached the ticket' },
    );
    await pause(QUIET_PERIOD_MS);

    const final = await ticket(opened.id);
    expect(mailTo(address).length).toBeLessThanOrEqual(SAFETY.maxAiRepliesPerAddress);
    expect(aiRepliesOn(final).length).toBeLessThanOrEqual(SAFETY.maxAiRepliesPerAddress);
    expect(final.messages.filter((m) => m.direction === 'inbound')).toHaveLength(LOOP_LENGTH);
    expect(final.status).toBe('needs_human');
    expect(await ticketsOf(address)).toHaveLength(1);
  });
});
