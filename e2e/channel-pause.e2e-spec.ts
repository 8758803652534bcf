import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryView, EmailChannelStatusView, EmailChannelView, TicketDetailView, TicketPage } from '@ensoras/contracts';
import { type ChannelStack, eventually, PROJECT, SMTP_USER, startChannelStack, SUPPORT } from '@ensoras/testing';
import { plainMail } from './mail-builders.js';

/**
 * A revoked SMTP password, through all five services: the agent's replies are held (queued, not failed) while the
 * login is rejected, sending pauses after AUTH_FAILURES_BEFORE_PAUSE (3) rejections and the status route says so;
 * saving the right password resumes, and every held reply arrives once, in order. When the password is changed at
 * the provider and changed back there, POST …/channels/email/resume is what sends the held reply.
 */
describe('a revoked SMTP password, end to end', () => {
  let stack: ChannelStack;
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const channel = `/v1/projects/${PROJECT}/channels/email`;
  const tickets = async () => (await api<TicketPage>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets`)).body.items;
  const ticket = async (id: string) => (await api<TicketDetailView>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets/${id}`)).body;
  const status = async () => (await api<EmailChannelStatusView>('channel-config', 'GET', `${channel}/status`)).body;
  let ticketId: string;
  const replies = ['First answer: we are looking into it.', 'Second answer: the parcel is found.', 'Third answer: it ships today.'];

  beforeAll(async () => {
    stack = await startChannelStack('e2e-pause');
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('holds the replies while the SMTP password is rejected, and pauses sending after the third rejection', async () => {
    // The AI stays out of it (aiMode off): only the agent's replies are sent.
    const settings = stack.channelSettings({ aiMode: 'off' }) as { smtp: Record<string, unknown> };
    settings.smtp = { ...settings.smtp, password: 'revoked-app-password' };
    expect((await api<EmailChannelView>('channel-config', 'PUT', channel, settings)).status).toBe(200);
    expect((await api('channel-config', 'POST', `${channel}/enable`)).status).toBe(200);

    await stack.dovecot.deliver(
      SUPPORT.username,
      plainMail('Jane Doe <jane@customer.test>', { Subject: 'Where is my parcel?', 'Message-ID': '<parcel@customer.test>' }, 'Hello, my parcel has not arrived.'),
    );
    const [created] = await eventually(async () => {
      const items = await tickets();
      return items.length === 1 ? items : null;
    }, { timeoutMs: 30_000, message: 'no ticket appeared' });
    ticketId = created.id;

    for (const text of replies) {
      expect((await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${ticketId}/replies`, { text })).status).toBe(201);
    }

    const paused = await eventually(async () => {
      const current = await status();
      return current.paused?.smtp ? current : null;
    }, { timeoutMs: 60_000, message: 'the status never showed sending paused' });
    expect(paused.paused.smtp).toMatchObject({ failures: 3 });
    expect(paused.paused.smtp!.reason).toMatch(/SMTP server at 127\.0\.0\.1:\d+ rejected the username or password/);
    expect(paused.paused.imap).toBeNull();
    expect(JSON.stringify(paused)).not.toContain('revoked-app-password');

    // Held, not failed: the messages stay queued with the reason as their note.
    const held = await eventually(async () => {
      const outbound = (await ticket(ticketId)).messages.filter((message) => message.direction === 'outbound');
      return outbound.length === 3 && outbound.every((message) => message.deliveryStatus === 'queued' && message.deliveryNote) ? outbound : null;
    }, { timeoutMs: 30_000, message: 'the replies were not shown as held' });
    expect(held.some((message) => /paused|held/i.test(message.deliveryNote ?? ''))).toBe(true);
    expect((await ticket(ticketId)).status).not.toBe('needs_human');
    expect(stack.smtp.messages).toHaveLength(0);
  });

  it('sends every held reply once, in order, when the right password is saved, and the pause is gone', async () => {
    const fixed = await api<EmailChannelView>('channel-config', 'PATCH', channel, { smtp: { password: SMTP_USER.password } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.paused).toEqual({ imap: null, smtp: null });

    const mails = await stack.smtp.waitForMessages(3, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stack.smtp.messages).toHaveLength(3);
    expect(mails.map((mail) => replies.findIndex((text) => mail.parsed.text?.includes(text)))).toEqual([0, 1, 2]);
    expect(mails.every((mail) => mail.authUser === SMTP_USER.username)).toBe(true);

    await eventually(async () => (await ticket(ticketId)).messages.filter((message) => message.direction === 'outbound').every((message) => message.deliveryStatus === 'sent'), {
      timeoutMs: 30_000,
      message: 'the replies were never marked sent',
    });
    expect((await status()).paused).toEqual({ imap: null, smtp: null });
  });

  it('holds a reply when the password is changed at the provider, and sends it once after the fix there and Resume', async () => {
    const sentBefore = stack.smtp.messages.length;
    stack.smtp.changePassword(SMTP_USER.username, 'changed-at-the-provider');
    const text = 'Fourth answer: the refund is on its way.';
    expect((await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${ticketId}/replies`, { text })).status).toBe(201);

    // One reply is enough: a held reply is tried again after a back-off, and the third rejection pauses.
    const paused = await eventually(async () => {
      const current = await status();
      return current.paused?.smtp ? current : null;
    }, { timeoutMs: 60_000, message: 'sending did not pause after the password changed at the provider' });
    expect(paused.paused.smtp).toMatchObject({ failures: 3 });

    // Fixed at the provider, but nobody told the channel: it stays paused and tries nothing.
    stack.smtp.changePassword(SMTP_USER.username, SMTP_USER.password);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(stack.smtp.messages).toHaveLength(sentBefore);
    expect((await status()).paused.smtp).not.toBeNull();

    const resumed = await api<EmailChannelView>('channel-config', 'POST', `${channel}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toEqual({ imap: null, smtp: null });

    const [mail] = (await stack.smtp.waitForMessages(sentBefore + 1, 60_000)).slice(sentBefore);
    expect(mail!.parsed.text).toContain(text);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stack.smtp.messages).toHaveLength(sentBefore + 1);
    await eventually(async () => (await ticket(ticketId)).messages.filter((message) => message.direction === 'outbound').every((message) => message.deliveryStatus === 'sent'), {
      timeoutMs: 30_000,
      message: 'the held reply was never marked sent',
    });
    const audit = await api<{ entries: AuditEntryView[] }>('channel-config', 'GET', `${channel}/audit`);
    expect(audit.body.entries[0]).toMatchObject({ action: 'email_channel.resumed', actor: { kind: 'admin' } });
  });
});
