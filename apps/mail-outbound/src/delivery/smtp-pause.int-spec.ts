/**
 * A project whose SMTP password is revoked: mail-outbound against an SMTP server that rejects the login (behind a TCP
 * proxy that counts connections, i.e. login attempts), nats-server and PostgreSQL. Its replies are held, not failed;
 * after AUTH_FAILURES_BEFORE_PAUSE rejections no login is tried (across a restart too) and channel.email.paused is
 * published once; a new revision of the settings sends every held reply exactly once, a ticket's in order. A server
 * that cannot check logins just now (454) is retried like any temporary failure, and never pauses.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelPaused, MailFailed, MailSent, type EventEnvelope, type MailSendRequestedPayload } from '@ensoras/contracts';
import { eventually, startLineServer, startSmtpServer, startTcpProxy, type SmtpTestServer, type TcpProxy } from '@ensoras/testing';
import { OutboundHarness, SMTP_USER } from '../test-support/outbound-harness.js';

const PROJECT = 'revoked';
const REVOKED_PASSWORD = 'revoked-app-password-4711';

describe('mail-outbound: a project whose SMTP login is rejected', () => {
  let harness: OutboundHarness;
  let smtp: SmtpTestServer;
  let proxy: TcpProxy;
  const tickets = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
  const requests: EventEnvelope<MailSendRequestedPayload>[] = [];

  const snapshot = (revision: number, password: string) =>
    harness.channel(PROJECT, { smtp: { host: proxy.host, port: proxy.port, encryption: 'none', username: SMTP_USER.username, password } }, { revision });

  /** Requests a reply to the ticket (kept in `requests`). */
  async function requestSend(ticketId: string, subject: string): Promise<void> {
    const request = harness.sendRequest(PROJECT, { ticketId, subject });
    requests.push(request);
    await harness.requestSend(request);
  }

  async function rows(): Promise<Array<{ outbound_message_id: string; status: string; failure_code: string | null }>> {
    const result = await harness.db.query('SELECT outbound_message_id, status, failure_code FROM mail_outbound.delivery WHERE project_id = $1', [PROJECT]);
    return result.rows;
  }

  const pausedEvents = () => harness.eventsOf(ChannelPaused);
  const failures = () => harness.eventsOf(MailFailed);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    [harness, smtp] = await Promise.all([OutboundHarness.start(), startSmtpServer({ mode: 'plain', users: [SMTP_USER] })]);
    proxy = await startTcpProxy(smtp);
    await harness.putChannel(snapshot(1, REVOKED_PASSWORD));
    await harness.startApp();
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
    await proxy?.stop();
    await smtp?.stop();
  });

  it('holds the replies instead of failing them, pauses after the third rejected login, and then tries no more', async () => {
    // Ticket A has three replies, ticket B two, all requested before the first is tried.
    for (const [ticket, subject] of [[tickets.a, 'A1'], [tickets.b, 'B1'], [tickets.a, 'A2'], [tickets.b, 'B2'], [tickets.a, 'A3']] as const) {
      await requestSend(ticket, subject);
    }

    const [paused] = await eventually(() => (pausedEvents().length > 0 ? pausedEvents() : null), { timeoutMs: 30_000, message: 'channel.email.paused was not published' });
    expect(paused!.payload).toMatchObject({ projectId: PROJECT, direction: 'smtp', revision: 1, failures: 3 });
    expect(paused!.payload.reason).toMatch(/SMTP server at 127\.0\.0\.1:\d+ rejected the username or password/);
    expect(JSON.stringify(paused)).not.toContain(REVOKED_PASSWORD);

    await eventually(async () => (await rows()).length === 5 && (await rows()).every((row) => row.status === 'held'), {
      timeoutMs: 10_000,
      message: 'the replies were not all held',
    });
    const loginsAtPause = proxy.connections;
    // One per rejection; two tickets tried side by side may both be on their way when it pauses.
    expect(loginsAtPause).toBeGreaterThanOrEqual(3);
    expect(loginsAtPause).toBeLessThanOrEqual(4);

    // A reply requested while paused is held without a login.
    await requestSend(tickets.c, 'C1');
    await eventually(async () => (await rows()).length === 6, { timeoutMs: 10_000 });
    // Parked mail is looked at every 2 s and a rejected try would come back within 30 s; nothing is tried.
    await sleep(6_000);
    expect(proxy.connections).toBe(loginsAtPause);
    expect((await rows()).map((row) => row.status)).toEqual(Array(6).fill('held'));
    expect(failures().filter((failure) => failure.payload.permanent)).toEqual([]);
    expect(failures().find((failure) => failure.payload.code === 'smtp_paused')?.payload.reason).toMatch(/Held, not sent/);
    expect(smtp.messages).toHaveLength(0);
    expect(pausedEvents()).toHaveLength(1);
  });

  it('stays paused across a restart: still no login, no second announcement', async () => {
    const logins = proxy.connections;
    await harness.stopApp();
    await harness.startApp();
    await requestSend(tickets.c, 'C2');
    await eventually(async () => (await rows()).length === 7, { timeoutMs: 10_000 });
    await sleep(5_000);
    expect(proxy.connections).toBe(logins);
    expect((await rows()).every((row) => row.status === 'held')).toBe(true);
    expect(pausedEvents()).toHaveLength(1);
  });

  it("sends every held reply once, each ticket's in order, when the settings get a new revision", async () => {
    await harness.putChannel(snapshot(2, SMTP_USER.password));

    const mails = await smtp.waitForMessages(requests.length, 30_000);
    await sleep(3_000);
    expect(smtp.messages).toHaveLength(requests.length);
    // Our replies' subjects start with Re: (composeReplyMail).
    const subjects = mails.map((mail) => mail.parsed.subject?.replace(/^Re: /, ''));
    for (const request of requests) expect(subjects.filter((subject) => subject === request.payload.subject)).toHaveLength(1);
    const order = (prefix: string) => subjects.filter((subject) => subject?.startsWith(prefix));
    expect(order('A')).toEqual(['A1', 'A2', 'A3']);
    expect(order('B')).toEqual(['B1', 'B2']);
    expect(order('C')).toEqual(['C1', 'C2']);

    await eventually(async () => (await rows()).every((row) => row.status === 'sent'), { timeoutMs: 10_000 });
    const sent = harness.eventsOf(MailSent).map((event) => event.payload.outboundMessageId);
    expect(new Set(sent)).toEqual(new Set(requests.map((request) => request.payload.outboundMessageId)));
    expect(failures().filter((failure) => failure.payload.permanent)).toEqual([]);
    const leftover = await harness.db.query('SELECT count(*)::int AS n FROM mail_outbound.delivery WHERE request IS NOT NULL');
    expect(leftover.rows[0].n).toBe(0);
  });

  it('sends new replies at once after that', async () => {
    await requestSend(tickets.a, 'A4');
    await smtp.waitForMessages(requests.length, 10_000);
    expect(smtp.messages.at(-1)?.parsed.subject).toBe('Re: A4');
    expect(pausedEvents()).toHaveLength(1);
  });

  it('retries a login the server could not check just now (454 4.7.0) like any temporary failure: no hold, no pause', async () => {
    const project = 'throttled';
    let logins = 0;
    const server = await startLineServer('220 fake.test ESMTP\r\n', (line, socket) => {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') return '250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n';
      if (verb === 'AUTH') {
        logins += 1;
        return '454 4.7.0 Temporary authentication failure\r\n';
      }
      if (verb === 'QUIT') {
        socket.end('221 bye\r\n');
        return null;
      }
      return '502 5.5.1 unknown\r\n';
    });
    try {
      await harness.putChannel(
        harness.channel(project, { smtp: { host: '127.0.0.1', port: server.port, encryption: 'none', username: SMTP_USER.username, password: SMTP_USER.password } }),
      );
      const request = harness.sendRequest(project);
      await harness.requestSend(request);
      const ofProject = () => failures().filter((failure) => failure.projectId === project);
      await eventually(() => (logins >= 3 && ofProject().length >= 3 ? true : null), { timeoutMs: 30_000, message: 'the send was not retried' });
      expect(ofProject().every((failure) => !failure.payload.permanent && failure.payload.code === 'auth_unavailable')).toBe(true);
      const [row] = (await harness.db.query('SELECT status FROM mail_outbound.delivery WHERE outbound_message_id = $1', [request.payload.outboundMessageId])).rows;
      expect(row.status).not.toBe('held');
      expect(pausedEvents().filter((event) => event.projectId === project)).toEqual([]);
      const [state] = (await harness.db.query('SELECT failures FROM mail_outbound.smtp_login_state WHERE project_id = $1', [project])).rows;
      expect(state?.failures ?? 0).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
