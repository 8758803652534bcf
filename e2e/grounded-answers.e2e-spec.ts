import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView, TicketDetailView, TicketMessageView, TicketPage, TicketView } from '@ensoras/contracts';
import { type ChannelStack, eventually, PROJECT, SMTP_USER, startChannelStack, SUPPORT } from '@ensoras/testing';
import { plainMail } from './mail-builders.js';

const RETURNS = {
  title: 'Returns',
  language: 'en',
  url: 'https://acme.example/help/returns',
  body: [
    '## Return period',
    'You can return any item within 30 days of delivery, unused and in its original packaging.',
    '',
    '## Return label',
    'Start a return in your account under Orders and print the free return label.',
  ].join('\n'),
};

/**
 * The knowledge base through all five services: an answer from it with its sources on the ticket, a mail it cannot
 * answer handed to a person (with the channel's acknowledgement), and draft mode, where an agent sends the AI's reply.
 */
describe('answers grounded in the knowledge base, end to end through all five services', () => {
  let stack: ChannelStack;
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const ticketBySubject = async (subject: string): Promise<TicketView | null> =>
    (await api<TicketPage>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets`)).body.items.find((ticket) => ticket.subject === subject) ?? null;
  const ticket = async (id: string) => (await api<TicketDetailView>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets/${id}`)).body;
  const outbound = (detail: TicketDetailView): TicketMessageView | undefined => detail.messages.find((message) => message.direction === 'outbound');
  const ask = (from: string, subject: string, text: string) =>
    stack.dovecot.deliver(SUPPORT.username, plainMail(from, { Subject: subject, 'Message-ID': `<${subject.replace(/\W+/g, '-')}@customer.test>` }, text));

  beforeAll(async () => {
    stack = await startChannelStack('e2e-grounded');
    const article = await api('ai-responder', 'PUT', `/v1/projects/${PROJECT}/knowledge/articles/returns`, RETURNS);
    expect(article.status).toBe(201);
    const configured = await api<EmailChannelView>('channel-config', 'PUT', `/v1/projects/${PROJECT}/channels/email`, {
      imap: { host: '127.0.0.1', port: stack.dovecot.imapsPort, encryption: 'ssl', username: SUPPORT.username, password: SUPPORT.password, validateCertificate: false, markAsRead: false },
      smtp: { host: '127.0.0.1', port: stack.smtp.port, encryption: 'tls', username: SMTP_USER.username, password: SMTP_USER.password, validateCertificate: false },
      identity: { fromEmail: 'support@acme.test', fromName: 'Acme Support', signatureHtml: '<p>The Acme team</p>' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
      handoff: { acknowledge: true, text: 'Thank you, a member of our team will answer you personally.' },
    });
    expect(configured.status).toBe(200);
    expect(configured.body).toMatchObject({ aiMode: 'auto', handoff: { acknowledge: true } });
    expect((await api('channel-config', 'POST', `/v1/projects/${PROJECT}/channels/email/enable`)).status).toBe(200);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a question from the knowledge base and shows the article it used on the ticket', async () => {
    await ask('Jane Doe <jane@customer.test>', 'Return period', 'Hello,\nHow many days do I have to return an item after delivery?\nJane');
    const [reply] = await stack.smtp.waitForMessages(1, 60_000);
    expect(reply.parsed.text).toMatch(/^Hello Jane,/u);
    expect(reply.parsed.text).toContain('You can return any item within 30 days of delivery');
    expect(reply.parsed.text).toContain('https://acme.example/help/returns');

    const answered = await eventually(async () => {
      const found = await ticketBySubject('Return period');
      return found?.status === 'answered' ? found : null;
    }, { timeoutMs: 30_000, message: 'the ticket was never answered' });
    expect(outbound(await ticket(answered.id))?.sources).toEqual([{ articleId: 'returns', title: 'Returns', url: 'https://acme.example/help/returns' }]);
  });

  it('hands a question the knowledge base cannot answer to a person, acknowledging it to the customer', async () => {
    await ask('Tom Miller <tom@customer.test>', 'Crypto', 'Hi, can I pay for my order in Bitcoin?\nTom');
    const handedOver = await eventually(async () => {
      const found = await ticketBySubject('Crypto');
      return found?.status === 'needs_human' ? found : null;
    }, { timeoutMs: 60_000, message: 'the ticket never went to a person' });
    expect(handedOver.handoffReason).toBe('the knowledge base says nothing about "Bitcoin" (the question)');
    const mails = await stack.smtp.waitForMessages(2, 30_000);
    expect(mails[1]!.parsed.text).toContain('Thank you, a member of our team will answer you personally.');
    expect(mails[1]!.parsed.text).not.toMatch(/bitcoin/iu);
  });

  it('keeps the reply as a draft in draft mode, and sends it when an agent sends it edited', async () => {
    const mode = await api<EmailChannelView>('channel-config', 'PATCH', `/v1/projects/${PROJECT}/channels/email`, { aiMode: 'draft' });
    expect(mode.body.aiMode).toBe('draft');
    // The snapshot reaches ai-responder through the KV bucket; a mail sent before it would be answered in auto mode.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await ask('Ana Silva <ana@customer.test>', 'Return label', 'Hello,\nHow do I get a return label?\nAna');

    const drafted = await eventually(async () => {
      const found = await ticketBySubject('Return label');
      return found?.status === 'draft_ready' ? found : null;
    }, { timeoutMs: 60_000, message: 'no draft was made' });
    const draft = outbound(await ticket(drafted.id))!;
    expect(draft).toMatchObject({ deliveryStatus: 'draft', author: 'ai', sources: [{ articleId: 'returns' }] });
    expect(stack.smtp.messages).toHaveLength(2);

    const sent = await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${drafted.id}/drafts/${draft.id}/send`, {
      text: `${draft.text}\n\nP.S. Our warehouse is closed on public holidays.`,
    });
    expect(sent.status).toBe(200);
    const [, , mail] = await stack.smtp.waitForMessages(3, 30_000);
    expect(mail!.parsed.text).toContain('P.S. Our warehouse is closed on public holidays.');
    expect(mail!.parsed.inReplyTo).toBe('<Return-label@customer.test>');
    await eventually(async () => ((await ticket(drafted.id)).status === 'answered' ? true : null), { timeoutMs: 30_000, message: 'not answered after the send' });
    expect((await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${drafted.id}/drafts/${draft.id}/send`, {})).status).toBe(409);
  });
});
