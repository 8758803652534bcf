import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX_STATUS_BUCKET, MailSent, type ChannelSettingsSnapshot, type MailboxStatusRecord } from '@ensoras/contracts';
import { eventually, startDovecot, startSmtpServer, startTcpProxy, type DovecotServer, type SmtpTestServer, type TcpProxy } from '@ensoras/testing';
import { OutboundHarness, SMTP_USER } from '../test-support/outbound-harness.js';
import { SentCopies } from './sent-copies.service.js';

const MAILBOX_PASSWORD = 'mailbox password';
/** One mailbox per project, so each test counts only its own copies. */
const MAILBOXES = {
  sent: 'sent@shop.example',
  off: 'off@shop.example',
  nosent: 'nosent@shop.example',
  byname: 'byname@shop.example',
  paused: 'paused@shop.example',
  down: 'down@shop.example',
} as const;
type Project = keyof typeof MAILBOXES;

interface SentMessage {
  uid: number;
  flags: string[];
  source: Buffer;
  messageId: string | undefined;
}

describe('mail-outbound: copies of sent replies in the Sent folder', () => {
  let harness: OutboundHarness;
  let smtp: SmtpTestServer;
  let dovecot: DovecotServer;
  /** In front of Dovecot for the `down` project: cut, the IMAP server is unreachable. */
  let proxy: TcpProxy;
  /** In front of Dovecot for the `paused` project: counts its logins. */
  let pausedProxy: TcpProxy;

  function snapshot(projectId: Project, extra: Partial<ChannelSettingsSnapshot> = {}): ChannelSettingsSnapshot {
    const imap =
      projectId === 'down' || projectId === 'paused'
        ? { host: '127.0.0.1', port: (projectId === 'down' ? proxy : pausedProxy).port, encryption: 'tcp' as const }
        : { host: dovecot.host, port: dovecot.imapsPort, encryption: 'ssl' as const };
    return harness.channel(
      projectId,
      {
        imap: { ...imap, username: MAILBOXES[projectId], password: MAILBOX_PASSWORD },
        smtp: { host: smtp.host, port: smtp.port, encryption: 'none', username: SMTP_USER.username, password: SMTP_USER.password },
      },
      extra,
    );
  }

  /** A reply whose text is not all ASCII, so the copy must keep the sent bytes exactly. */
  async function requestSend(projectId: Project) {
    const request = harness.sendRequest(projectId, { text: 'Hello Anna,\n\nyour order ships today. Grüße aus dem Lager.' });
    await harness.requestSend(request);
    return request;
  }

  /** Logs in to a mailbox directly (never through the proxy). */
  async function withMailbox<T>(username: string, work: (imap: ImapFlow) => Promise<T>): Promise<T> {
    const imap = new ImapFlow({ host: dovecot.host, port: dovecot.imapsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: username, pass: MAILBOX_PASSWORD }, logger: false });
    imap.on('error', () => undefined);
    await imap.connect();
    try {
      return await work(imap);
    } finally {
      await imap.logout();
    }
  }

  /** Every message in the user's Sent folder (marked \Sent, or named as one), or null when the mailbox has none. */
  function sentFolderOf(username: string): Promise<SentMessage[] | null> {
    return withMailbox(username, async (imap) => {
      const sent = (await imap.list()).find((mailbox) => mailbox.specialUse === '\\Sent');
      if (!sent) return null;
      const lock = await imap.getMailboxLock(sent.path, { readOnly: true });
      try {
        if ((imap.mailbox && imap.mailbox.exists) === 0) return [];
        const messages = await imap.fetchAll('1:*', { uid: true, flags: true, source: true, envelope: true });
        return messages.map((message) => ({ uid: message.uid, flags: [...(message.flags ?? [])], source: message.source!, messageId: message.envelope?.messageId }));
      } finally {
        lock.release();
      }
    });
  }

  const copySettled = (outboundMessageId: string, state: string) =>
    eventually(async () => {
      const row = await harness.deliveryRow(outboundMessageId);
      return row?.sent_copy === state ? row : null;
    }, { timeoutMs: 30_000, message: `the Sent copy of ${outboundMessageId} did not become ${state}` });

  const receivedBySmtp = (messageId: string) => eventually(() => smtp.messages.find((mail) => mail.parsed.messageId === messageId), { timeoutMs: 20_000 });

  beforeAll(async () => {
    [harness, smtp, dovecot] = await Promise.all([
      OutboundHarness.start(),
      startSmtpServer({ mode: 'plain', users: [SMTP_USER] }),
      startDovecot({ users: Object.values(MAILBOXES).map((username) => ({ username, password: MAILBOX_PASSWORD })) }),
    ]);
    proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.imapPort });
    pausedProxy = await startTcpProxy({ host: dovecot.host, port: dovecot.imapPort });
    // A mail client (or the provider) made the Sent folder; `nosent` never got one.
    for (const username of [MAILBOXES.sent, MAILBOXES.off, MAILBOXES.down, MAILBOXES.paused]) await withMailbox(username, (imap) => imap.mailboxCreate('Sent'));
    // Outlook's name, which this Dovecot (like cPanel's or Courier's) does not mark \Sent.
    await withMailbox(MAILBOXES.byname, (imap) => imap.mailboxCreate('Sent Items'));

    for (const channel of [snapshot('sent', { sentFolder: { append: true } }), snapshot('off', { sentFolder: { append: false } }), snapshot('nosent'), snapshot('byname'), snapshot('paused'), snapshot('down')]) {
      await harness.putChannel(channel);
    }
    await harness.startApp();
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.all([proxy?.stop(), pausedProxy?.stop()]);
    await Promise.all([smtp?.stop(), dovecot?.stop()]);
  });

  it('appends each reply it sent to the Sent folder once: the very bytes the SMTP server received, marked \\Seen', async () => {
    const requests = [await requestSend('sent'), await requestSend('sent'), await requestSend('sent')];

    for (const request of requests) {
      const row = await copySettled(request.payload.outboundMessageId, 'appended');
      expect(row).toMatchObject({ status: 'sent', sent_copy_raw: null, sent_copy_attempts: 0, sent_copy_detail: 'Appended to Sent' });
    }
    const sent = (await sentFolderOf(MAILBOXES.sent))!;
    expect(sent).toHaveLength(3);
    for (const request of requests) {
      const received = await receivedBySmtp(request.payload.messageId);
      const copies = sent.filter((message) => message.messageId === request.payload.messageId);
      expect(copies).toHaveLength(1);
      expect(copies[0]!.source.equals(received.raw)).toBe(true);
      expect(copies[0]!.source.toString('utf8')).toContain(`Message-ID: ${request.payload.messageId}`);
      expect(copies[0]!.flags).toContain('\\Seen');
    }
    // The mail went out once, and the customer's copy is the same mail as the one in Sent.
    expect(smtp.messages.filter((mail) => requests.some((request) => request.payload.messageId === mail.parsed.messageId))).toHaveLength(3);
  });

  it('does not make a second copy when the append is done again, or the same send is requested again', async () => {
    const request = await requestSend('sent');
    await copySettled(request.payload.outboundMessageId, 'appended');
    const received = await receivedBySmtp(request.payload.messageId);

    // What a crash between the append and recording it leaves: the copy pending again, its bytes kept.
    await harness.db.query(
      `UPDATE mail_outbound.delivery SET sent_copy = 'pending', sent_copy_raw = $2, sent_copy_next_at = now(), sent_copy_detail = NULL
        WHERE outbound_message_id = $1`,
      [request.payload.outboundMessageId, received.raw],
    );
    const redone = await copySettled(request.payload.outboundMessageId, 'appended');
    expect(redone.sent_copy_detail).toBe('Found in Sent already');

    // The request delivered again: mail.sent is reported again, nothing is sent or appended again.
    await harness.requestSend({ ...request, id: randomUUID() });
    await eventually(() => harness.eventsOf(MailSent, request.payload.outboundMessageId).length >= 2, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const copies = (await sentFolderOf(MAILBOXES.sent))!.filter((message) => message.messageId === request.payload.messageId);
    expect(copies).toHaveLength(1);
    expect(smtp.messages.filter((mail) => mail.parsed.messageId === request.payload.messageId)).toHaveLength(1);
  });

  it('appends nothing when the channel setting is off, and says so on the delivery', async () => {
    const request = await requestSend('off');
    await receivedBySmtp(request.payload.messageId);
    const row = await copySettled(request.payload.outboundMessageId, 'skipped');
    expect(row.sent_copy_detail).toMatch(/sentFolder\.append is false/);
    expect(row.sent_copy_raw).toBeNull();
    // A copy would be appended within a moment of the send; give it more than that.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await sentFolderOf(MAILBOXES.off)).toEqual([]);
  });

  it('skips a mailbox without a folder marked \\Sent and creates none', async () => {
    const request = await requestSend('nosent');
    await receivedBySmtp(request.payload.messageId);
    const row = await copySettled(request.payload.outboundMessageId, 'skipped');
    expect(row.sent_copy_detail).toMatch(/no Sent folder/);
    expect(await sentFolderOf(MAILBOXES.nosent)).toBeNull();
    const folders = await withMailbox(MAILBOXES.nosent, async (imap) => (await imap.list()).map((mailbox) => mailbox.path));
    expect(folders).toEqual(['INBOX']);
  });

  it('takes the folder a mail client would take by its name on a server that marks none \\Sent', async () => {
    const flags = await withMailbox(MAILBOXES.byname, async (imap) => (await imap.list()).find((mailbox) => mailbox.path === 'Sent Items')?.flags);
    expect([...(flags ?? [])]).not.toContain('\\Sent');
    const request = await requestSend('byname');
    const received = await receivedBySmtp(request.payload.messageId);
    const row = await copySettled(request.payload.outboundMessageId, 'appended');
    expect(row.sent_copy_detail).toBe('Appended to Sent Items');
    const copies = await withMailbox(MAILBOXES.byname, async (imap) => {
      const lock = await imap.getMailboxLock('Sent Items', { readOnly: true });
      try {
        return await imap.fetchAll('1:*', { source: true });
      } finally {
        lock.release();
      }
    });
    expect(copies).toHaveLength(1);
    expect(copies[0]!.source!.equals(received.raw)).toBe(true);
  });

  it('does not log in while mail-ingest has paused receiving for these settings, and appends once they change', async () => {
    const pausedReceiving: MailboxStatusRecord = {
      projectId: 'paused',
      revision: 1,
      state: 'paused',
      imported: 0,
      total: 0,
      lastError: 'The IMAP server at 127.0.0.1 rejected the username or password.',
      lastErrorAt: new Date().toISOString(),
      lastImportAt: null,
      updatedAt: new Date().toISOString(),
    };
    await (await harness.buckets.bucket(MAILBOX_STATUS_BUCKET)).put('paused', JSON.stringify(pausedReceiving));
    const request = await requestSend('paused');
    await receivedBySmtp(request.payload.messageId);
    const waiting = await eventually(async () => {
      const row = await harness.deliveryRow(request.payload.outboundMessageId);
      return row?.sent_copy === 'pending' && /receiving is paused/.test(row.sent_copy_detail ?? '') ? row : null;
    }, { timeoutMs: 20_000, message: 'the copy did not wait for the paused mailbox' });
    expect(waiting.sent_copy_attempts).toBe(0);
    expect(pausedProxy.connections).toBe(0);

    // Resumed: a new revision of the settings (mail-ingest's record still names the old one).
    await harness.putChannel(snapshot('paused', { revision: 2 }));
    const row = await copySettled(request.payload.outboundMessageId, 'appended');
    expect(row.sent_copy_detail).toBe('Appended to Sent');
    expect(pausedProxy.connections).toBe(1);
    expect((await sentFolderOf(MAILBOXES.paused))!.map((message) => message.messageId)).toEqual([request.payload.messageId]);
  });

  it('sends at once while the IMAP server is unreachable, keeps retrying the copy, and appends it once after a restart', async () => {
    await proxy.cut();
    const request = await requestSend('down');
    const received = await receivedBySmtp(request.payload.messageId);
    const failed = await eventually(async () => {
      const row = await harness.deliveryRow(request.payload.outboundMessageId);
      return row?.sent_copy === 'pending' && row.sent_copy_attempts >= 1 ? row : null;
    }, { timeoutMs: 20_000 });
    expect(failed.status).toBe('sent');
    expect(failed.sent_copy_detail).toMatch(/refused/i);
    // The bytes kept for the copy are those the SMTP server received, line ends included.
    expect(failed.sent_copy_raw?.equals(received.raw)).toBe(true);
    expect(failed.sent_copy_next_at).not.toBeNull();

    // The service restarts while the copy waits; the server comes back meanwhile.
    await harness.stopApp();
    await proxy.restore();
    await harness.startApp();

    const row = await copySettled(request.payload.outboundMessageId, 'appended');
    expect(row.sent_copy_raw).toBeNull();
    const sent = (await sentFolderOf(MAILBOXES.down))!;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.source.equals(received.raw)).toBe(true);
  });

  it('counts appended and skipped copies in its metrics', async () => {
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    // The service was restarted: since then it appended the one copy of the `down` project.
    expect(metrics).toMatch(/^ensoras_mail_outbound_sent_copies_total\{outcome="appended",service="mail-outbound"\} 1$/m);
  });

  it('never gives one pending copy to two claims made at the same moment', async () => {
    const copies = harness.app.get(SentCopies);
    // Only the claims of this test run: the service's own sweep stops.
    await copies.beforeApplicationShutdown();
    const ids = Array.from({ length: 12 }, () => randomUUID());
    for (const id of ids) {
      await harness.db.query(
        `INSERT INTO mail_outbound.delivery (outbound_message_id, project_id, ticket_id, message_id, status, attempts, sent_at, sent_copy, sent_copy_raw, sent_copy_next_at)
         VALUES ($1, 'claims', $2, $3, 'sent', 1, now(), 'pending', $4, now())`,
        [id, randomUUID(), `<${id}@shop.example>`, Buffer.from('Subject: x\r\n\r\nx\r\n')],
      );
    }
    const claims = await Promise.all(Array.from({ length: 6 }, () => copies.claim('claims', randomUUID(), 3)));
    const claimed = claims.flat().map((copy) => copy.outboundMessageId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(new Set(claimed)).toEqual(new Set(ids));
    // Held by their claims until the lease ends.
    expect(await copies.claim('claims', randomUUID(), 20)).toEqual([]);
  });
});
