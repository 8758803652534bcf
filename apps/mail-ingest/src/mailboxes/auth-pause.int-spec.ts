/**
 * A mailbox whose password stops working: mail-ingest against Dovecot (through a TCP proxy that counts the logins),
 * nats-server and PostgreSQL. After AUTH_FAILURES_BEFORE_PAUSE (3) rejected logins the watcher stops trying, says so
 * in the status, and channel.email.paused is published once; neither a restart nor other failures (a server that
 * cannot be reached, or cannot check logins just now) change that, and a new revision of the settings starts afresh.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelPaused, STREAMS, type ChannelPausedPayload, type EventEnvelope } from '@ensoras/contracts';
import { eventually, startLineServer, startTcpProxy, type MailUser, type TcpProxy } from '@ensoras/testing';
import { IngestHarness, testMail, type RunningApp } from '../test-support/ingest-harness.js';
import { MailboxPauses } from './mailbox-pauses.js';

const PROJECT = 'p-revoked';
const USER: MailUser = { username: 'revoked@example.test', password: 'pw-revoked-secret' };
const WRONG_PASSWORD = 'revoked-app-password-4711';

let harness: IngestHarness;
let proxy: TcpProxy;
let app: RunningApp;

/** Every channel.<PROJECT>.email.paused stored in the CHANNELS stream (repeats JetStream dropped are not there). */
async function pausedEvents(): Promise<EventEnvelope<ChannelPausedPayload>[]> {
  const consumer = await jetstream(harness.nc).consumers.get(STREAMS.channel, { filter_subjects: ChannelPaused.subject(PROJECT) });
  const events: EventEnvelope<ChannelPausedPayload>[] = [];
  for (;;) {
    const message = await consumer.next({ expires: 1_000 });
    if (!message) return events;
    events.push(message.json());
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  harness = await IngestHarness.start([USER]);
  proxy = await startTcpProxy({ host: harness.dovecot.host, port: harness.dovecot.imapPort });
  app = await harness.startApp();
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await harness?.stop();
});

describe('a mailbox whose password is rejected', () => {
  it('stops logging in after the third rejection, says why in the status, and publishes channel.email.paused once', async () => {
    await harness.putChannel(PROJECT, USER, { password: WRONG_PASSWORD, port: proxy.port });

    const paused = await eventually(async () => {
      const mailbox = await app.mailbox(PROJECT);
      return mailbox?.state === 'paused' ? mailbox : null;
    }, { timeoutMs: 30_000, message: 'the mailbox did not pause' });
    expect(paused.lastError).toMatch(/rejected the username or password/);
    expect(proxy.connections).toBe(3);

    const record = await eventually(async () => {
      const report = await harness.statusReport(PROJECT);
      return report?.state === 'paused' ? report : null;
    }, { timeoutMs: 5_000 });
    expect(record).toMatchObject({ revision: 1, lastError: paused.lastError });
    expect(JSON.stringify(record)).not.toContain(WRONG_PASSWORD);

    const [event, ...more] = await eventually(async () => {
      const events = await pausedEvents();
      return events.length > 0 ? events : null;
    }, { timeoutMs: 10_000, message: 'channel.email.paused was not published' });
    expect(more).toEqual([]);
    expect(event!.payload).toMatchObject({ projectId: PROJECT, direction: 'imap', revision: 1, failures: 3, reason: paused.lastError });
    expect(JSON.stringify(event)).not.toContain(WRONG_PASSWORD);

    // Back-off would have tried again within 4 s (±20 %); a paused mailbox does not.
    await sleep(6_000);
    expect(proxy.connections).toBe(3);
    expect((await app.mailbox(PROJECT))?.state).toBe('paused');
  });

  it('does not log in again for the paused revision after a restart, and announces nothing again', async () => {
    await app.close();
    app = await harness.startApp();
    const mailbox = await eventually(async () => {
      const status = await app.mailbox(PROJECT);
      return status?.state === 'paused' ? status : null;
    }, { timeoutMs: 20_000, message: 'the restarted service did not show the mailbox paused' });
    expect(mailbox.lastError).toMatch(/rejected the username or password/);
    await sleep(3_000);
    expect(proxy.connections).toBe(3);

    // Another replica that reached the limit too records the same pause: nothing is announced again.
    const [event] = await pausedEvents();
    await app.app.get(MailboxPauses).pause({ ...event!.payload, direction: 'imap', failures: 5, pausedAt: new Date().toISOString() });
    await sleep(1_500);
    expect(await pausedEvents()).toHaveLength(1);
    expect((await harness.sql('SELECT failures FROM mail_ingest.mailbox_pause WHERE project_id = $1', [PROJECT])).rows).toEqual([{ failures: 3 }]);
  });

  it('starts afresh with a new revision: logs in with the fixed password and imports', async () => {
    await harness.dovecot.deliver(USER.username, testMail({ subject: 'written while paused' }));
    await harness.putChannel(PROJECT, USER, { port: proxy.port, updatedAt: new Date(Date.now() - 60_000) });
    await eventually(async () => (await app.mailbox(PROJECT))?.state === 'idle', { timeoutMs: 20_000, message: 'the mailbox did not resume' });
    expect(proxy.connections).toBe(4);
    await eventually(() => harness.eventsOf(PROJECT).some((event) => event.envelope.payload.subject === 'written while paused'), { timeoutMs: 10_000 });
    const record = await eventually(async () => {
      const report = await harness.statusReport(PROJECT);
      return report?.revision === 2 && report.state === 'watching' ? report : null;
    }, { timeoutMs: 5_000 });
    expect(record.lastError).toBeNull();
  });

  it('keeps retrying with back-off while the server cannot be reached: that is no reason to pause', async () => {
    // Revision 3 with the right password; the server is unreachable from the start (connection refused).
    await proxy.cut();
    await harness.putChannel(PROJECT, USER, { port: proxy.port });
    // Refused at about 0, 1, 3 and 7 s: four failures, more than AUTH_FAILURES_BEFORE_PAUSE.
    await sleep(9_000);
    const mailbox = await app.mailbox(PROJECT);
    expect(mailbox).toMatchObject({ revision: 3, state: 'backoff' });
    expect(mailbox?.lastError).toMatch(/connection_refused/);
    await proxy.restore();
    await eventually(async () => (await app.mailbox(PROJECT))?.state === 'idle', { timeoutMs: 30_000, message: 'the mailbox did not reconnect' });
    expect(await pausedEvents()).toHaveLength(1);
  });

  it('keeps retrying with back-off when the server cannot check logins just now ([UNAVAILABLE]): that is no rejection', async () => {
    let logins = 0;
    // Dovecot's answer while its authentication backend is down (RFC 5530), played by a scripted server.
    const unavailable = await startLineServer('* OK [CAPABILITY IMAP4rev1] ready\r\n', (line) => {
      const [tag, command = ''] = line.split(' ');
      switch (command.toUpperCase()) {
        case 'CAPABILITY':
          return `* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`;
        case 'LOGIN':
          logins += 1;
          return `${tag} NO [UNAVAILABLE] Temporary authentication failure.\r\n`;
        case 'LOGOUT':
          return `* BYE bye\r\n${tag} OK done\r\n`;
        default:
          return `${tag} BAD unknown command\r\n`;
      }
    });
    try {
      await harness.putChannel(PROJECT, USER, { port: unavailable.port });
      // Four logins answered so, one more than AUTH_FAILURES_BEFORE_PAUSE, and the mailbox still backs off.
      const mailbox = await eventually(async () => {
        const status = await app.mailbox(PROJECT);
        return logins >= 4 && status?.revision === 4 && status.state === 'backoff' ? status : null;
      }, { timeoutMs: 30_000, message: 'the mailbox did not keep retrying' });
      expect(mailbox.lastError).toMatch(/auth_unavailable|could not check the login just now/);
      expect(await pausedEvents()).toHaveLength(1);
      expect((await harness.sql('SELECT revision FROM mail_ingest.mailbox_pause WHERE project_id = $1', [PROJECT])).rows).toEqual([{ revision: 1 }]);
    } finally {
      await unavailable.stop();
    }
  });
});
