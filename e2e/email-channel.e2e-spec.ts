import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView, TestConnectionResult, TicketDetailView, TicketPage } from '@ensoras/contracts';
import { type ChannelStack, type DovecotServer, eventually, PROJECT, SMTP_USER, type SmtpTestServer, startChannelStack, SUPPORT } from '@ensoras/testing';
import { deliveryStatusNotification, plainMail } from './mail-builders.js';

const SUBJECT = 'Order 1234 has not arrived';

const JANE = 'Jane Doe <jane@customer.test>';
const customerMail = (headers: Record<string, string>, body: string) => plainMail(JANE, headers, body);

describe('the email channel, end to end through all five services', () => {
  let stack: ChannelStack;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const tickets = async () => (await api<TicketPage>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets`)).body.items;
  const ticket = async (id: string) =>
    (await api<TicketDetailView>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets/${id}`)).body;

  beforeAll(async () => {
    stack = await startChannelStack('e2e');
    ({ dovecot, smtp } = stack);
  });

  // A failing scenario usually needs the services' side of the story: keep their output for it.
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('configures, tests and enables the channel through the admin API', async () => {
    const style = await api('channel-config', 'PUT', `/v1/projects/${PROJECT}/configuration`, {
      communicationStyle: 'Warm, concise, and always on first-name terms.',
    });
    expect(style.status).toBe(200);

    const notYet = await api('channel-config', 'POST', `/v1/projects/${PROJECT}/channels/email/enable`);
    expect(notYet.status).toBe(409);

    const configured = await api<EmailChannelView>('channel-config', 'PUT', `/v1/projects/${PROJECT}/channels/email`, {
      imap: {
        host: '127.0.0.1',
        port: dovecot.imapsPort,
        encryption: 'ssl',
        username: SUPPORT.username,
        password: SUPPORT.password,
        validateCertificate: false,
        markAsRead: true,
      },
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        encryption: 'tls',
        username: SMTP_USER.username,
        password: SMTP_USER.password,
        validateCertificate: false,
      },
      identity: { fromEmail: 'support@acme.test', fromName: 'Acme Support', signatureHtml: '<p>Kind regards,<br><b>The Acme team</b></p>' },
      guidelines: 'Use a professional email tone with proper greeting and sign-off.',
      responseDelay: { minSeconds: 0, maxSeconds: 1 },
    });
    expect(configured.status).toBe(200);
    expect(JSON.stringify(configured.body)).not.toContain(SUPPORT.password);
    expect(configured.body.imap?.passwordSet).toBe(true);

    const connection = await api<TestConnectionResult>('channel-config', 'POST', `/v1/projects/${PROJECT}/channels/email/test-connection`);
    expect(connection.body).toMatchObject({ imap: { ok: true }, smtp: { ok: true } });

    const enabled = await api<EmailChannelView>('channel-config', 'POST', `/v1/projects/${PROJECT}/channels/email/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
  });

  let ticketId: string;
  let ourMessageId: string;

  it('turns a customer email into a ticket and answers it through the project SMTP server', async () => {
    await dovecot.deliver(
      SUPPORT.username,
      customerMail({ Subject: SUBJECT, 'Message-ID': '<first@customer.test>' }, 'Hello, my order 1234 has not arrived yet. Can you check?'),
    );

    const [created] = await eventually(async () => {
      const items = await tickets();
      return items.length === 1 ? items : null;
    }, { timeoutMs: 30_000, message: 'no ticket appeared' });
    ticketId = created.id;
    expect(created).toMatchObject({ subject: SUBJECT, customer: { address: 'jane@customer.test' } });

    const [reply] = await smtp.waitForMessages(1, 60_000);
    const mail = reply.parsed;
    expect(mail.from?.value[0]).toMatchObject({ address: 'support@acme.test', name: 'Acme Support' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null).toBe('jane@customer.test');
    expect(mail.subject).toBe(`Re: ${SUBJECT}`);
    expect(mail.inReplyTo).toBe('<first@customer.test>');
    expect([mail.references].flat()).toContain('<first@customer.test>');
    expect(mail.messageId).toMatch(/@acme\.test>$/);
    expect(mail.text).toContain('Jane');
    expect(mail.text).toContain('The Acme team');
    expect(mail.html).toContain('<b>The Acme team</b>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.authUser).toBe(SMTP_USER.username);
    ourMessageId = mail.messageId!;

    const detail = await eventually(async () => {
      const current = await ticket(ticketId);
      return current.messages.some((m) => m.direction === 'outbound' && m.deliveryStatus === 'sent') ? current : null;
    }, { timeoutMs: 30_000, message: 'the reply was never marked sent' });
    expect(detail.messages.map((m) => [m.direction, m.author])).toEqual([
      ['inbound', 'customer'],
      ['outbound', 'ai'],
    ]);
    expect(detail.messages[1].messageId).toBe(ourMessageId);

    // markAsRead is on: the imported mail is flagged \Seen in the mailbox.
    await eventually(async () => (await dovecot.listInbox(SUPPORT.username)).every((m) => m.flags.includes('\\Seen')));
  });

  it('threads the customer answer to our reply into the same ticket, and answers it', async () => {
    await dovecot.deliver(
      SUPPORT.username,
      customerMail(
        {
          Subject: `Re: ${SUBJECT}`,
          'Message-ID': '<second@customer.test>',
          'In-Reply-To': ourMessageId,
          References: `<first@customer.test> ${ourMessageId}`,
        },
        'Thanks! The tracking number is ZX-99.',
      ),
    );
    const detail = await eventually(async () => {
      const current = await ticket(ticketId);
      return current.messages.length >= 4 ? current : null;
    }, { timeoutMs: 60_000, message: 'the answer did not join the ticket and get a reply' });
    expect(await tickets()).toHaveLength(1);
    expect(detail.messages.filter((m) => m.direction === 'inbound')).toHaveLength(2);
    const [, second] = await smtp.waitForMessages(2, 30_000);
    expect(second.parsed.subject).toBe(`Re: ${SUBJECT}`);
    expect(second.parsed.inReplyTo).toBe('<second@customer.test>');
  });

  it('joins a subject-only "RE:" from the same customer to the ticket', async () => {
    await dovecot.deliver(
      SUPPORT.username,
      customerMail({ Subject: `RE: ${SUBJECT}`, 'Message-ID': '<third@customer.test>' }, 'One more thing: please ship to my office.'),
    );
    await eventually(async () => (await ticket(ticketId)).messages.some((m) => m.messageId === '<third@customer.test>'), {
      timeoutMs: 30_000,
      message: 'the subject-only reply did not join the ticket',
    });
    expect(await tickets()).toHaveLength(1);
    await smtp.waitForMessages(3, 30_000);
  });

  it('records an out-of-office answer on the ticket and does not answer it', async () => {
    const sentBefore = smtp.messages.length;
    await dovecot.deliver(
      SUPPORT.username,
      customerMail(
        {
          Subject: `Out of office: Re: ${SUBJECT}`,
          'Message-ID': '<ooo@customer.test>',
          'In-Reply-To': ourMessageId,
          'Auto-Submitted': 'auto-replied',
        },
        'I am out of the office until Monday.',
      ),
    );
    const recorded = await eventually(
      async () => (await ticket(ticketId)).messages.find((m) => m.messageId === '<ooo@customer.test>'),
      { timeoutMs: 30_000, message: 'the out-of-office was not recorded' },
    );
    expect(['auto-reply', 'out-of-office']).toContain(recorded.kind);
    // The response delay is at most 1 s; give the system several times that to (wrongly) answer.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(smtp.messages.length).toBe(sentBefore);
    expect(await tickets()).toHaveLength(1);
  });

  it('marks our reply bounced when the customer mail server reports it failed; a delay report only adds a note', async () => {
    // Our third reply (to the subject-only "RE:"): delivered to the customer's server, then her mailbox is full.
    const replies = await smtp.waitForMessages(3, 30_000);
    const bounced = replies[2];
    const bouncedId = bounced.parsed.messageId!;
    await eventually(
      async () => (await ticket(ticketId)).messages.find((m) => m.messageId === bouncedId && m.deliveryStatus === 'sent'),
      { timeoutMs: 30_000, message: 'the third reply was never marked sent' },
    );
    const before = await ticket(ticketId);
    const sentBefore = smtp.messages.length;

    await dovecot.deliver(
      SUPPORT.username,
      deliveryStatusNotification({
        messageId: '<delayed-1@mx.customer.test>',
        recipient: 'jane@customer.test',
        action: 'delayed',
        status: '4.2.2',
        diagnostic: '452 4.2.2 <jane@customer.test>: Mailbox full, try again later',
        original: bounced.raw,
        returned: 'message/rfc822',
      }),
    );
    const delayed = await eventually(
      async () => {
        const current = await ticket(ticketId);
        const report = current.messages.find((m) => m.messageId === '<delayed-1@mx.customer.test>');
        const ours = current.messages.find((m) => m.messageId === bouncedId);
        return report && ours?.deliveryNote ? { report, ours } : null;
      },
      { timeoutMs: 30_000, message: 'the delay report did not reach the ticket and note our reply' },
    );
    expect(delayed.report.kind).toBe('bounce');
    expect(delayed.ours.deliveryStatus).toBe('sent');

    await dovecot.deliver(
      SUPPORT.username,
      deliveryStatusNotification({
        messageId: '<failed-1@mx.customer.test>',
        recipient: 'jane@customer.test',
        action: 'failed',
        status: '5.2.2',
        diagnostic: '552 5.2.2 <jane@customer.test>: Mailbox full',
        original: bounced.raw,
        returned: 'text/rfc822-headers',
      }),
    );
    const failed = await eventually(
      async () => {
        const current = await ticket(ticketId);
        const ours = current.messages.find((m) => m.messageId === bouncedId);
        return ours?.deliveryStatus === 'bounced' ? current : null;
      },
      { timeoutMs: 30_000, message: 'our reply was never marked bounced' },
    );
    expect(failed.messages.find((m) => m.messageId === '<failed-1@mx.customer.test>')?.kind).toBe('bounce');
    // Only the reply the reports name bounced; the earlier ones did not.
    const bouncedReplies = failed.messages.filter((m) => m.direction === 'outbound' && m.deliveryStatus === 'bounced');
    expect(bouncedReplies.map((m) => m.messageId)).toEqual([bouncedId]);

    // Machine mail: no new ticket, the ticket's status untouched, and never an answer (delay is at most 1 s).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(smtp.messages.length).toBe(sentBefore);
    expect(await tickets()).toHaveLength(1);
    expect((await ticket(ticketId)).status).toBe(before.status);
  });

  it('keeps mail from the mailbox history as a ticket but leaves its answer to people', async () => {
    const sentBefore = smtp.messages.length;
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3_600_000).toUTCString();
    await dovecot.deliver(
      SUPPORT.username,
      plainMail('Old Customer <old@customer.test>', { Subject: 'Invoice from last week', 'Message-ID': '<history@customer.test>', Date: threeDaysAgo }, 'Could you resend the invoice?'),
    );
    const historic = await eventually(async () => (await tickets()).find((t) => t.customer.address === 'old@customer.test'), {
      timeoutMs: 30_000,
      message: 'the old mail made no ticket',
    });
    expect((await ticket(historic.id)).messages[0].date).toBe(new Date(threeDaysAgo).toISOString());
    // The response delay is at most 1 s; give the system several times that to (wrongly) answer.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(smtp.messages.length).toBe(sentBefore);
  });

  it("sends an agent's answer as a person's mail: threaded, signed, without the automatic-reply headers", async () => {
    const historic = (await tickets()).find((t) => t.customer.address === 'old@customer.test')!;
    const sentBefore = smtp.messages.length;
    const answered = await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${historic.id}/replies`, {
      text: 'Hello, the invoice is attached to your account page. Best, Sam',
    });
    expect(answered.status).toBe(201);

    const mails = await smtp.waitForMessages(sentBefore + 1, 30_000);
    const agentMail = mails[sentBefore].parsed;
    expect(agentMail.inReplyTo).toBe('<history@customer.test>');
    expect(agentMail.text).toContain('The Acme team');
    expect(agentMail.headers.has('auto-submitted')).toBe(false);
    expect(agentMail.headers.has('x-auto-response-suppress')).toBe(false);
    expect(agentMail.headers.get('x-ensoras-loop')).toBe(PROJECT);
  });
});
