import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView, TestConnectionResult, TicketPage } from '@ensoras/contracts';
import { type ChannelStack, eventually, PROJECT, startChannelStack, SUPPORT } from '@ensoras/testing';
import { plainMail } from './mail-builders.js';

/**
 * A mailbox connected with OAuth2 through all five services: the admin connects it at the (local) provider, and from
 * then on mail-ingest reads it and mail-outbound answers through it with XOAUTH2 only; no password is entered.
 */
describe('a mailbox connected with OAuth2, end to end', () => {
  let stack: ChannelStack;
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const C = `/v1/projects/${PROJECT}/channels/email`;

  beforeAll(async () => {
    stack = await startChannelStack('e2e-oauth', { oauth: true });
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('connects, imports a customer mail over XOAUTH2 and sends the agent reply over XOAUTH2', async () => {
    const settings = stack.channelSettings({ aiMode: 'off' }) as { imap: Record<string, unknown>; smtp: Record<string, unknown> };
    const oauth2 = { type: 'oauth2', provider: 'google' };
    const { password: _imapPassword, ...imap } = settings.imap;
    const { password: _smtpPassword, ...smtp } = settings.smtp;
    const configured = await api<EmailChannelView>('channel-config', 'PUT', C, { ...settings, imap: { ...imap, auth: oauth2 }, smtp: { ...smtp, auth: oauth2 } });
    expect(configured.status).toBe(200);
    expect(configured.body.imap).toMatchObject({ auth: oauth2, passwordSet: false });

    // The admin's browser: the consent URL, the provider's redirect, our callback (reached behind its public URL).
    const started = await api<{ url: string }>('channel-config', 'POST', `${C}/oauth/start`, { provider: 'google' });
    expect(started.status).toBe(200);
    const location = new URL((await fetch(started.body.url, { redirect: 'manual' })).headers.get('location') ?? '');
    expect(location.href.startsWith(stack.oauthRedirectUrl!)).toBe(true);
    const callback = await fetch(`${stack.services.url('channel-config')}${location.pathname}${location.search}`);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain(`as ${SUPPORT.username}`);

    expect((await api<TestConnectionResult>('channel-config', 'POST', `${C}/test-connection`)).body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
    expect((await api('channel-config', 'POST', `${C}/enable`)).status).toBe(200);

    await stack.dovecot.deliver(
      SUPPORT.username,
      plainMail('Jane Doe <jane@customer.test>', { Subject: 'Where is my parcel?', 'Message-ID': '<oauth-1@customer.test>' }, 'Hello, where is my parcel?'),
    );
    const [ticket] = await eventually(async () => {
      const items = (await api<TicketPage>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets`)).body.items;
      return items.length === 1 ? items : null;
    }, { timeoutMs: 60_000, message: 'no ticket appeared: the mailbox was not read over XOAUTH2' });

    const answered = await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${ticket.id}/replies`, { text: 'Hello Jane, it ships today. Sam' });
    expect(answered.status).toBe(201);
    const [reply] = await stack.smtp.waitForMessages(1, 60_000);
    expect(reply).toMatchObject({ authUser: SUPPORT.username, authMethod: 'XOAUTH2' });
    expect(reply.parsed.inReplyTo).toBe('<oauth-1@customer.test>');
  });

  it('says auth_failed once the grant is revoked at the provider (Dovecot and the SMTP server refuse its token)', async () => {
    stack.oauth!.revokeGrants(SUPPORT.username);
    const test = await api<TestConnectionResult>('channel-config', 'POST', `${C}/test-connection`);
    expect(test.body.imap).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(test.body.smtp).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
  });
});
