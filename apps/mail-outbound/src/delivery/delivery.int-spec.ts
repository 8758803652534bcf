import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailFailed, MailSent, STREAMS, type EventEnvelope, type MailSentPayload, type SmtpEncryption } from '@ensoras/contracts';
import { eventually, startSmtpServer, startTcpProxy, type SmtpTestServer, type TcpProxy } from '@ensoras/testing';
import { OutboundHarness, SMTP_USER } from '../test-support/outbound-harness.js';

const SIGNATURE_HTML = '<p>Kind regards,<br><b>The Shop team</b></p>';
const SIGNATURE_TEXT = '-- \nKind regards,\nThe Shop team';

describe('mail-outbound: sending requested mail over SMTP', () => {
  let harness: OutboundHarness;
  const smtp: Record<'plain' | 'implicit-tls' | 'starttls' | 'flaky' | 'crash' | 'burst', SmtpTestServer> = {} as never;
  /** In front of the flaky project's server: cut, it is unreachable. */
  let proxy: TcpProxy;

  const sentReports = (outboundMessageId: string) => harness.eventsOf(MailSent, outboundMessageId);
  const failedReports = (outboundMessageId: string) => harness.eventsOf(MailFailed, outboundMessageId);

  beforeAll(async () => {
    [harness, smtp.plain, smtp['implicit-tls'], smtp.starttls, smtp.flaky, smtp.crash, smtp.burst] = await Promise.all([
      OutboundHarness.start(),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
      startSmtpServer({ mode: 'implicit-tls', users: [SMTP_USER] }),
      startSmtpServer({ mode: 'starttls', users: [SMTP_USER] }),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
    ]);
    proxy = await startTcpProxy(smtp.flaky);
    await proxy.cut(); // the flaky project's server starts out unreachable; its port stays reserved for us

    const channel = (projectId: string, server: { host: string; port: number }, encryption: SmtpEncryption, password = SMTP_USER.password) =>
      harness.channel(
        projectId,
        { smtp: { host: server.host, port: server.port, encryption, username: SMTP_USER.username, password } },
        {
          identity: { fromEmail: 'support@shop.example', fromName: 'Shop "Care" Team', signatureHtml: SIGNATURE_HTML },
          // No IMAP server behind these channels; copies in the Sent folder are sent-folder.int-spec's subject.
          sentFolder: { append: false },
        },
      );
    for (const snapshot of [
      channel('plain', smtp.plain, 'none'),
      channel('implicit-tls', smtp['implicit-tls'], 'ssl'),
      channel('starttls', smtp.starttls, 'tls'),
      channel('flaky', proxy, 'none'),
      channel('wrong-password', smtp.plain, 'none', 'not the password'),
      channel('crash', smtp.crash, 'none'),
      channel('burst', smtp.burst, 'none'),
    ]) {
      await harness.putChannel(snapshot);
    }
    await harness.startApp();
  });

  afterAll(async () => {
    await harness?.stop();
    await proxy?.stop();
    await Promise.all(Object.values(smtp).map((server) => server.stop()));
  });

  it.each([
    ['plain', false],
    ['implicit-tls', true],
    ['starttls', true],
  ] as const)('sends one threaded mail with signature and loop headers over %s SMTP', async (mode, secure) => {
    const request = harness.sendRequest(mode);
    await harness.requestSend(request);

    const [mail] = await smtp[mode].waitForMessages(1, 20_000);
    expect(mail!.secure).toBe(secure);
    expect(mail!.authUser).toBe(SMTP_USER.username);
    expect(mail!.envelopeFrom).toBe('support@shop.example');
    expect(mail!.envelopeTo).toEqual(['anna@customer.example']);
    const parsed = mail!.parsed;
    expect(parsed.from?.value).toEqual([{ address: 'support@shop.example', name: 'Shop "Care" Team' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: 'anna@customer.example', name: 'Anna Example' }] });
    expect(parsed.subject).toBe('Re: Where is my order?');
    expect(parsed.messageId).toBe(request.payload.messageId);
    expect(parsed.inReplyTo).toBe('<q-2@customer.example>');
    expect(parsed.references).toEqual(['<q-1@customer.example>', '<a-1@shop.example>', '<q-2@customer.example>']);
    expect(parsed.text).toContain('your order ships today.');
    expect(parsed.text).toContain(SIGNATURE_TEXT);
    expect(parsed.html).toContain('<p>Hello Anna,</p>');
    expect(parsed.html).toContain(SIGNATURE_HTML);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed.headers.get('x-ensoras-loop')).toBe(mode);

    // mail.sent is stored on the MAIL stream for ticketing.
    const jsm = await jetstreamManager(harness.nc);
    const stored = await eventually(async () => {
      const message = await jsm.streams.getMessage(STREAMS.mail, { last_by_subj: `mail.${mode}.sent` }).catch(() => null);
      const envelope = message?.json<EventEnvelope<MailSentPayload>>();
      return envelope?.payload.outboundMessageId === request.payload.outboundMessageId ? envelope : null;
    }, { timeoutMs: 10_000 });
    expect(stored.payload).toMatchObject({ ticketId: request.payload.ticketId, messageId: request.payload.messageId });
    expect(stored.payload.smtpResponse).toMatch(/^250/);
    expect(await harness.deliveryRow(request.payload.outboundMessageId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it("sends a burst of one project's replies over several pooled connections, each once, a ticket's replies in order", async () => {
    // 12 tickets with 3 replies each, published ticket after ticket, all before the first is sent.
    const tickets = Array.from({ length: 12 }, () => randomUUID());
    const requests = tickets.flatMap((ticketId) => [1, 2, 3].map((n) => harness.sendRequest('burst', { ticketId, subject: `Re: ticket ${ticketId} reply ${n}` })));
    await Promise.all(requests.map((request) => harness.requestSend(request)));

    const mails = await smtp.burst.waitForMessages(requests.length, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.burst.messages).toHaveLength(requests.length);
    expect(new Set(mails.map((mail) => mail.parsed.messageId)).size).toBe(requests.length);
    expect(new Set(mails.map((mail) => mail.sessionId)).size).toBeGreaterThan(1);
    for (const ticketId of tickets) {
      const order = mails.filter((mail) => mail.parsed.subject?.includes(ticketId)).map((mail) => mail.parsed.subject!.slice(-1));
      expect(order).toEqual(['1', '2', '3']);
    }
    await eventually(async () => (await Promise.all(requests.map((r) => harness.deliveryRow(r.payload.outboundMessageId)))).every((row) => row?.status === 'sent'), {
      timeoutMs: 10_000,
    });
  });

  it('does not send a request twice: the repeat only reports mail.sent again, under the same event id', async () => {
    const before = smtp.plain.messages.length;
    const request = harness.sendRequest('plain');
    await harness.requestSend(request);
    await smtp.plain.waitForMessages(before + 1, 20_000);
    const [first] = await eventually(() => (sentReports(request.payload.outboundMessageId).length === 1 ? sentReports(request.payload.outboundMessageId) : null), { timeoutMs: 10_000 });

    const repeat = { ...request, id: randomUUID(), occurredAt: new Date().toISOString() };
    await harness.requestSend(repeat);
    const reports = await eventually(() => {
      const sent = sentReports(request.payload.outboundMessageId);
      return sent.length === 2 ? sent : null;
    }, { timeoutMs: 10_000, message: 'mail.sent was not published again for the repeated request' });

    expect(reports[1]!.id).toBe(first!.id);
    expect(smtp.plain.messages.filter((mail) => mail.parsed.messageId === request.payload.messageId)).toHaveLength(1);
    expect(await harness.deliveryRow(request.payload.outboundMessageId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it("starts the project's count of rejected logins over once a send is accepted, and leaves a newer revision's count alone", async () => {
    const loginState = async (projectId: string) =>
      (await harness.db.query('SELECT revision, failures, reason FROM mail_outbound.smtp_login_state WHERE project_id = $1', [projectId])).rows[0];
    const sendOne = async (projectId: 'starttls' | 'implicit-tls') => {
      const request = harness.sendRequest(projectId);
      await harness.requestSend(request);
      await eventually(async () => (await harness.deliveryRow(request.payload.outboundMessageId))?.status === 'sent', { timeoutMs: 20_000 });
    };
    // Two rejected logins counted at the revision the channel has now (1), one at a revision it does not have yet.
    await harness.db.query(
      `INSERT INTO mail_outbound.smtp_login_state (project_id, revision, failures, reason, paused_at)
       VALUES ('starttls', 1, 2, 'rejected', NULL), ('implicit-tls', 2, 1, 'rejected', NULL)`,
    );
    await sendOne('starttls');
    await sendOne('implicit-tls');
    expect(await loginState('starttls')).toEqual({ revision: 1, failures: 0, reason: null });
    expect(await loginState('implicit-tls')).toEqual({ revision: 2, failures: 1, reason: 'rejected' });
  });

  it('retries while the SMTP server is down and sends once it is back', async () => {
    const request = harness.sendRequest('flaky');
    await harness.requestSend(request);

    const [deferred] = await eventually(() => {
      const failed = failedReports(request.payload.outboundMessageId);
      return failed.length > 0 ? failed : null;
    }, { timeoutMs: 20_000 });
    expect(deferred!.payload).toMatchObject({ code: 'connection_refused', permanent: false });
    expect(await harness.deliveryRow(request.payload.outboundMessageId)).toMatchObject({ status: 'retrying' });
    expect(smtp.flaky.messages).toHaveLength(0);

    await proxy.restore();
    const [mail] = await smtp.flaky.waitForMessages(1, 30_000);
    expect(mail!.parsed.messageId).toBe(request.payload.messageId);
    await eventually(() => sentReports(request.payload.outboundMessageId).length === 1, { timeoutMs: 10_000 });
    const row = await harness.deliveryRow(request.payload.outboundMessageId);
    expect(row?.status).toBe('sent');
    expect(row?.attempts).toBeGreaterThanOrEqual(2);
    expect(smtp.flaky.messages).toHaveLength(1);
  });

  it('holds the mail of a project whose password is rejected, never failing it (smtp-pause.int-spec.ts has the rest)', async () => {
    const before = smtp.plain.messages.length;
    const request = harness.sendRequest('wrong-password');
    await harness.requestSend(request);

    const [held] = await eventually(() => {
      const reports = failedReports(request.payload.outboundMessageId);
      return reports.length > 0 ? reports : null;
    }, { timeoutMs: 20_000 });
    expect(held!.payload).toMatchObject({ code: 'auth_failed', permanent: false, ticketId: request.payload.ticketId, messageId: request.payload.messageId });
    expect(held!.payload.reason).toMatch(/rejected the username or password/);
    expect(held!.payload.reason).not.toContain('not the password');
    expect(await harness.deliveryRow(request.payload.outboundMessageId)).toMatchObject({ status: 'held', attempts: 1 });
    expect(failedReports(request.payload.outboundMessageId).filter((report) => report.payload.permanent)).toEqual([]);
    expect(smtp.plain.messages).toHaveLength(before);
  });

  it('never sends again a mail whose earlier attempt crashed after handing it over, and reports it as delivery_uncertain', async () => {
    const request = harness.sendRequest('crash');
    // What a crash between the end of DATA and settling leaves behind, found after JetStream's ack wait.
    await harness.db.query(
      `INSERT INTO mail_outbound.delivery (outbound_message_id, project_id, ticket_id, message_id, status, attempts, claimed_at, handed_over_at)
       VALUES ($1, 'crash', $2, $3, 'sending', 1, now() - interval '10 minutes', now() - interval '10 minutes')`,
      [request.payload.outboundMessageId, request.payload.ticketId, request.payload.messageId],
    );
    await harness.requestSend(request);

    const [failed] = await eventually(() => {
      const reports = failedReports(request.payload.outboundMessageId);
      return reports.length > 0 ? reports : null;
    }, { timeoutMs: 20_000 });
    expect(failed!.payload).toMatchObject({ code: 'delivery_uncertain', permanent: true });
    expect(failed!.payload.reason).toMatch(/Sent folder/);
    expect(await harness.deliveryRow(request.payload.outboundMessageId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(smtp.crash.messages.filter((m) => m.parsed.messageId === request.payload.messageId)).toHaveLength(0);
  });

  it('sends a mail whose earlier attempt crashed before the end of DATA, once, and records the hand-over', async () => {
    const request = harness.sendRequest('crash');
    // A crash while connecting or writing the mail: the server dropped that transaction with the connection.
    await harness.db.query(
      `INSERT INTO mail_outbound.delivery (outbound_message_id, project_id, ticket_id, message_id, status, attempts, claimed_at)
       VALUES ($1, 'crash', $2, $3, 'sending', 1, now() - interval '10 minutes')`,
      [request.payload.outboundMessageId, request.payload.ticketId, request.payload.messageId],
    );
    await harness.requestSend(request);

    const [sent] = await eventually(() => {
      const reports = sentReports(request.payload.outboundMessageId);
      return reports.length > 0 ? reports : null;
    }, { timeoutMs: 20_000 });
    expect(sent!.payload.outboundMessageId).toBe(request.payload.outboundMessageId);
    expect(failedReports(request.payload.outboundMessageId)).toHaveLength(0);
    expect(smtp.crash.messages.filter((m) => m.parsed.messageId === request.payload.messageId)).toHaveLength(1);
    const row = await harness.deliveryRow(request.payload.outboundMessageId);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(row!.handed_over_at).not.toBeNull();
    expect(new Date(row!.handed_over_at!).getTime()).toBeLessThanOrEqual(new Date(row!.sent_at!).getTime());
  });

  it('leaves a send that another attempt is making right now to that attempt, and reports its outcome', async () => {
    const request = harness.sendRequest('crash');
    // Another replica took this send a moment ago and is talking to the server.
    await harness.db.query(
      `INSERT INTO mail_outbound.delivery (outbound_message_id, project_id, ticket_id, message_id, status, attempts, claimed_at)
       VALUES ($1, 'crash', $2, $3, 'sending', 1, now())`,
      [request.payload.outboundMessageId, request.payload.ticketId, request.payload.messageId],
    );
    await harness.requestSend(request);
    // The request is put back for later; then the other attempt settles.
    await eventually(async () => (await jetstreamManager(harness.nc).then((jsm) => jsm.consumers.info(STREAMS.mail, 'mail-outbound__mail_any_send_requested'))).num_redelivered > 0, { timeoutMs: 10_000 });
    await harness.db.query(`UPDATE mail_outbound.delivery SET status = 'sent', sent_at = now(), smtp_response = '250 2.0.0 queued' WHERE outbound_message_id = $1`, [
      request.payload.outboundMessageId,
    ]);

    const [sent] = await eventually(() => {
      const reports = sentReports(request.payload.outboundMessageId);
      return reports.length > 0 ? reports : null;
    }, { timeoutMs: 20_000 });
    expect(sent!.payload.smtpResponse).toBe('250 2.0.0 queued');
    expect(failedReports(request.payload.outboundMessageId)).toHaveLength(0);
    expect(smtp.crash.messages.filter((m) => m.parsed.messageId === request.payload.messageId)).toHaveLength(0);
  });

  it('serves /health and Prometheus metrics of what it sent and gave up on', async () => {
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(200);

    const response = await fetch(`${harness.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const metrics = await response.text();
    const sent = Number(/^ensoras_mail_outbound_sent_total\{service="mail-outbound"\} (\d+)/m.exec(metrics)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^ensoras_mail_outbound_retries_total\{code="auth_failed",service="mail-outbound"\} [1-9]\d*$/m);
    expect(metrics).not.toMatch(/^ensoras_mail_outbound_failed_total\{code="auth_failed",service="mail-outbound"\}/m);
    expect(metrics).toMatch(/^ensoras_mail_outbound_failed_total\{code="delivery_uncertain",service="mail-outbound"\} 1$/m);
    expect(metrics).toMatch(/^ensoras_mail_outbound_send_duration_seconds_count\{service="mail-outbound",outcome="sent"\} \d+$/m);
  });
});
