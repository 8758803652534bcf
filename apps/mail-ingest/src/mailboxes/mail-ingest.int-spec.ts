/**
 * mail-ingest against real servers: Dovecot (IMAP), a private nats-server (JetStream, KV, object store) and
 * PostgreSQL. The tests run in order and share the servers; each mailbox (project) has its own Dovecot user.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFromRaw } from '@ensoras/mail';
import { eventually, type MailUser } from '@ensoras/testing';
import { importEventId } from '../mail-import/import-event-id.js';
import {
  ADMIN_TOKEN,
  IngestHarness,
  startIdleHidingProxy,
  type IdleHidingProxy,
  testMail,
  type ReceivedEvent,
  type RunningApp,
} from '../test-support/ingest-harness.js';

const user = (name: string): MailUser => ({ username: `${name}@example.test`, password: `pw-${name}-secret` });
const MAIN = { projectId: 'p-main', user: user('main') };
const SEEN = { projectId: 'p-seen', user: user('seen') };
const POLL = { projectId: 'p-poll', user: user('poll') };
const BROKEN = { projectId: 'p-broken', user: user('broken') };
const BAD = { projectId: 'p-bad', user: user('bad') };
const ORPHAN = { projectId: 'p-orphan', user: user('orphan') };
const OTHER_REPLICA = 'other-replica';

let harness: IngestHarness;
let proxy: IdleHidingProxy;
let app: RunningApp;
let otherReplica: { crash(): void };
const latencies: string[] = [];

const subjectOf = (event: ReceivedEvent) => event.envelope.payload.subject;
const withSubject = (projectId: string, subject: string) =>
  harness.eventsOf(projectId).filter((event) => subjectOf(event) === subject);

/** Delivers a mail and waits for its event; returns the time from delivered to seen on the stream. */
async function deliverAndAwait(projectId: string, mailUser: MailUser, subject: string, timeoutMs = 10_000): Promise<number> {
  await harness.dovecot.deliver(mailUser.username, testMail({ subject }));
  const deliveredAt = Date.now();
  const [event] = await eventually(() => (withSubject(projectId, subject).length > 0 ? withSubject(projectId, subject) : null), {
    timeoutMs,
    message: `mail.received for "${subject}" did not arrive`,
  });
  return event!.receivedAt - deliveredAt;
}

async function waitForState(projectId: string, state: string, target: RunningApp = app, timeoutMs = 10_000) {
  return eventually(async () => {
    const mailbox = await target.mailbox(projectId);
    return mailbox?.state === state ? mailbox : null;
  }, { timeoutMs, message: `mailbox ${projectId} did not reach state ${state}` });
}

/** No (uidValidity, uid) of a project was published twice. */
function expectEachImportOnce(projectId: string): void {
  const keys = harness.eventsOf(projectId).map((event) => `${event.envelope.payload.source.uidValidity}/${event.envelope.payload.source.uid}`);
  expect(new Set(keys).size).toBe(keys.length);
}

beforeAll(async () => {
  harness = await IngestHarness.start([MAIN.user, SEEN.user, POLL.user, BROKEN.user, BAD.user, ORPHAN.user]);
  proxy = await startIdleHidingProxy(harness.dovecot.imapPort);

  // Mail that is in the mailboxes before mail-ingest ever looks.
  await harness.dovecot.deliver(MAIN.user.username, testMail({ subject: 'before 1' }));
  await harness.dovecot.deliver(MAIN.user.username, testMail({ subject: 'before 2 without id', messageId: null }));
  await harness.dovecot.deliver(MAIN.user.username, testMail({ subject: 'before 3' }));
  await harness.dovecot.deliver(SEEN.user.username, testMail({ subject: 'seen 1' }));
  await harness.dovecot.deliver(SEEN.user.username, testMail({ subject: 'seen 2' }));
  await harness.dovecot.deliver(ORPHAN.user.username, testMail({ subject: 'orphan 1' }));
  // Mail that lands in the second a channel is enabled counts as new and goes before the history: these are history.
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  await harness.putChannel(MAIN.projectId, MAIN.user, { encryption: 'ssl' });
  await harness.putChannel(SEEN.projectId, SEEN.user, { markAsRead: true });
  // Another replica watches this mailbox; it will crash (stop renewing) after the first test.
  otherReplica = await harness.holdLeaseAsOtherReplica(ORPHAN.projectId, OTHER_REPLICA);
  await harness.putChannel(ORPHAN.projectId, ORPHAN.user);

  app = await harness.startApp();
});

afterAll(async () => {
  otherReplica?.crash();
  if (latencies.length > 0) console.log(`[mail-ingest latency] delivered → mail.received seen by a consumer:\n  ${latencies.join('\n  ')}`);
  await proxy?.close();
  await harness?.stop();
});

describe('mail-ingest', () => {
  it('imports the mail already in the mailbox, once each and in UID order, without touching \\Seen', async () => {
    await eventually(() => harness.eventsOf(MAIN.projectId).length >= 3, { timeoutMs: 15_000, message: 'pre-existing mail not imported' });
    await waitForState(MAIN.projectId, 'idle');
    const events = harness.eventsOf(MAIN.projectId);
    expect(events.map(subjectOf)).toEqual(['before 1', 'before 2 without id', 'before 3']);
    expect(events.map((event) => event.envelope.payload.source.uid)).toEqual([1, 2, 3]);
    expect(events.map((event) => event.subject)).toEqual(Array(3).fill('mail.p-main.received'));

    const first = events[0]!.envelope;
    const { uidValidity, uid } = first.payload.source;
    // Deterministic per (project, UIDVALIDITY, UID): a re-import is the same JetStream message.
    expect(first.id).toBe(importEventId(MAIN.projectId, uidValidity, uid));
    expect(first.payload).toMatchObject({
      messageIdGenerated: false,
      from: { address: 'ann@customer.test', name: 'Ann Customer' },
      to: [{ address: 'support@shop.test', name: '' }],
      text: 'Body of before 1\n',
      classification: { kind: 'normal' },
      rawObjectKey: `${MAIN.projectId}/${uidValidity}/1`,
    });
    // The raw bytes are kept so the mail can be processed again.
    const raw = await harness.rawMail(first.payload.rawObjectKey);
    expect(raw?.toString()).toContain('Subject: before 1');

    // markAsRead is off: reading with BODY.PEEK left every flag as it was.
    const inbox = await harness.dovecot.listInbox(MAIN.user.username);
    expect(inbox).toHaveLength(3);
    for (const message of inbox) expect(message.flags).not.toContain('\\Seen');

    // A mailbox another live replica holds is not watched here.
    expect(await harness.leaseHolder(ORPHAN.projectId)).toBe(OTHER_REPLICA);
    expect(await app.mailbox(ORPHAN.projectId)).toBeUndefined();
    expect(withSubject(ORPHAN.projectId, 'orphan 1')).toHaveLength(0);
    // That replica dies now, without handing its lease back; a later test checks the take-over.
    otherReplica.crash();
  });

  it('gives a mail without Message-ID a stable id made from its raw bytes', async () => {
    const [event] = withSubject(MAIN.projectId, 'before 2 without id');
    const payload = event!.envelope.payload;
    expect(payload.messageIdGenerated).toBe(true);
    const raw = await harness.rawMail(payload.rawObjectKey);
    expect(payload.messageId).toBe(messageIdFromRaw(raw!));
    expect(payload.messageId).toMatch(/^<[0-9a-f]{64}\.generated@ensoras\.invalid>$/);
  });

  it('sets \\Seen after the import when markAsRead is on', async () => {
    await eventually(() => harness.eventsOf(SEEN.projectId).length === 2, { timeoutMs: 15_000 });
    const inbox = await eventually(async () => {
      const messages = await harness.dovecot.listInbox(SEEN.user.username);
      return messages.every((message) => message.flags.includes('\\Seen')) ? messages : null;
    });
    expect(inbox).toHaveLength(2);
  });

  it('publishes a new mail within moments, through IDLE', async () => {
    await waitForState(MAIN.projectId, 'idle');
    const latency = await deliverAndAwait(MAIN.projectId, MAIN.user, 'new while idle');
    latencies.push(`single new mail: ${latency} ms`);
    expect(withSubject(MAIN.projectId, 'new while idle')).toHaveLength(1);
  });

  it('publishes mail that lands 1-3 s after the previous one just as quickly', async () => {
    await waitForState(MAIN.projectId, 'idle');
    for (const gapMs of [1_000, 2_000, 3_000]) {
      const first = `burst ${gapMs} a`;
      const second = `burst ${gapMs} b`;
      await harness.dovecot.deliver(MAIN.user.username, testMail({ subject: first }));
      const firstDelivered = Date.now();
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      const firstLatency = (await eventually(() => withSubject(MAIN.projectId, first)[0]))!.receivedAt - firstDelivered;
      await harness.dovecot.deliver(MAIN.user.username, testMail({ subject: second }));
      const secondDelivered = Date.now();
      const secondEvent = await eventually(() => withSubject(MAIN.projectId, second)[0], { timeoutMs: 10_000 });
      latencies.push(`gap ${gapMs} ms: first ${firstLatency} ms, second ${secondEvent.receivedAt - secondDelivered} ms`);
      await waitForState(MAIN.projectId, 'idle');
    }
    expectEachImportOnce(MAIN.projectId);
  });

  it('polls a server without IDLE every POLL_INTERVAL_MS', async () => {
    await harness.dovecot.deliver(POLL.user.username, testMail({ subject: 'poll before' }));
    await harness.putChannel(POLL.projectId, POLL.user, { port: proxy.port });
    await eventually(() => withSubject(POLL.projectId, 'poll before')[0], { timeoutMs: 10_000 });
    const mailbox = await waitForState(POLL.projectId, 'polling');
    expect(mailbox.mode).toBe('polling');
    const latency = await deliverAndAwait(POLL.projectId, POLL.user, 'poll new');
    latencies.push(`polling (POLL_INTERVAL_MS 500): ${latency} ms`);
  });

  it('reconnects with back-off when the connection drops, showing it in the mailbox listing, and carries on', async () => {
    await waitForState(POLL.projectId, 'polling');
    proxy.dropConnections();
    const failed = await eventually(async () => {
      const mailbox = await app.mailbox(POLL.projectId);
      return mailbox?.state === 'backoff' ? mailbox : null;
    }, { intervalMs: 20 });
    expect(failed.lastError).toBeTruthy();
    expect(failed.nextAttemptAt).toBeTruthy();
    const recovered = await waitForState(POLL.projectId, 'polling');
    expect(recovered.lastError).toBeNull();
    await deliverAndAwait(POLL.projectId, POLL.user, 'poll after reconnect');
    expectEachImportOnce(POLL.projectId);
  });

  it('shows a broken mailbox to the admin, without its password, and stays ready with no tenant data in /health', async () => {
    await harness.putChannel(BROKEN.projectId, BROKEN.user, { password: 'not-the-password-4711' });
    const mailbox = await eventually(async () => {
      const status = await app.mailbox(BROKEN.projectId);
      return status?.lastError ? status : null;
    }, { timeoutMs: 10_000 });
    // After AUTH_FAILURES_BEFORE_PAUSE rejections it pauses (auth-pause.int-spec.ts).
    expect(['backoff', 'connecting', 'paused']).toContain(mailbox.state);
    expect(mailbox.lastError).toMatch(/auth/i);
    const listing = JSON.stringify(await app.mailboxes());
    expect(listing).not.toContain('not-the-password-4711');
    expect(listing).not.toContain(BROKEN.user.password);
    expect((await fetch(`${app.url}/v1/mailboxes`)).status).toBe(401);
    for (const path of ['/health', '/health/ready', '/health/live']) {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(BROKEN.projectId);
      expect(text).not.toContain('mailboxes');
    }
  });

  it('quarantines a mail it cannot parse and goes on with the next', async () => {
    // More MIME parts than the parser accepts.
    const parts = Array.from({ length: 1_100 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
    const mimeBomb = `From: ann@customer.test\r\nSubject: too many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`;
    await harness.dovecot.deliver(BAD.user.username, mimeBomb);
    // Not a mail at all; the parser makes the best of it.
    await harness.dovecot.deliver(BAD.user.username, Buffer.from('\u0000\u0001 garbage without any header \u00ff\r\n', 'latin1'));
    await harness.dovecot.deliver(BAD.user.username, testMail({ subject: 'fine after the bad ones' }));
    // As history (a second older than the enabling), the three are imported in UID order; see beforeAll.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await harness.putChannel(BAD.projectId, BAD.user);

    await eventually(() => withSubject(BAD.projectId, 'fine after the bad ones')[0], { timeoutMs: 15_000 });
    const published = harness.eventsOf(BAD.projectId);
    expect(published.map((event) => event.envelope.payload.source.uid)).toEqual([2, 3]);
    expect(published[0]!.envelope.payload.messageIdGenerated).toBe(true);

    const unauthorised = await fetch(`${app.url}/v1/projects/${BAD.projectId}/quarantine`);
    expect(unauthorised.status).toBe(401);
    // The quarantine row is written beside the next mails' publishes (the checkpoint waits for both), so it may land
    // a moment after the mail behind it is on the stream.
    const items = await eventually(async () => {
      const response = await fetch(`${app.url}/v1/projects/${BAD.projectId}/quarantine`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status).toBe(200);
      const listed = ((await response.json()) as { items: Array<{ uid: number; reason: string; rawObjectKey: string }> }).items;
      return listed.length > 0 ? listed : null;
    }, { timeoutMs: 10_000, message: 'the bad mail never appeared in the quarantine' });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ uid: 1, rawObjectKey: expect.stringMatching(new RegExp(`^${BAD.projectId}/\\d+/1$`)) });
    expect(items[0]!.reason).toMatch(/part|node/i);
    // The raw bytes of the quarantined mail are kept for a later look.
    expect((await harness.rawMail(items[0]!.rawObjectKey))?.toString()).toContain('Subject: too many parts');
    await eventually(async () => ((await app.mailbox(BAD.projectId))?.quarantinedCount === 1 ? true : null), {
      timeoutMs: 10_000,
      message: 'the mailbox status never counted the quarantined mail',
    });
  });

  it('retries a quarantined mail: published and removed when it parses now, kept with its reason when it still does not', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const quarantineUrl = `${app.url}/v1/projects/${BAD.projectId}/quarantine`;
    const list = async () => ((await (await fetch(quarantineUrl, { headers: admin })).json()) as { items: Array<{ id: string; uid: number; uidValidity: string; reason: string }> }).items;
    const [bomb] = await list();
    expect(bomb).toMatchObject({ id: `${bomb!.uidValidity}-1`, uid: 1 });

    expect((await fetch(`${quarantineUrl}/${bomb!.id}/retry`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${quarantineUrl}/not-an-id/retry`, { method: 'POST', headers: admin })).status).toBe(400);
    expect((await fetch(`${quarantineUrl}/${bomb!.uidValidity}-4242/retry`, { method: 'POST', headers: admin })).status).toBe(404);

    // Still more MIME parts than the parser accepts: 422 with the reason, and it stays quarantined.
    const again = await fetch(`${quarantineUrl}/${bomb!.id}/retry`, { method: 'POST', headers: admin });
    expect(again.status).toBe(422);
    expect(((await again.json()) as { message: string }).message).toMatch(/still cannot be parsed: .*(part|node)/iu);
    expect((await list()).map((item) => item.id)).toEqual([bomb!.id]);

    // A mail an earlier version gave up on (8-bit Latin-1 subject, no charset): its raw bytes kept, its entry recorded.
    const uid = 999;
    const key = `${BAD.projectId}/${bomb!.uidValidity}/${uid}`;
    await harness.putRawMail(key, Buffer.from('From: J\xfcrgen <j@customer.test>\r\nSubject: Gr\xfc\xdfe\r\nMessage-ID: <retry-1@customer.test>\r\n\r\nSch\xf6n\r\n', 'latin1'));
    await harness.sql(
      'INSERT INTO "mail_ingest"."quarantined_mail" ("project_id", "uid_validity", "uid", "reason", "raw_object_key") VALUES ($1, $2, $3, $4, $5)',
      [BAD.projectId, bomb!.uidValidity, uid, 'Error: an older parser gave up', key],
    );
    const retried = await fetch(`${quarantineUrl}/${bomb!.uidValidity}-${uid}/retry`, { method: 'POST', headers: admin });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ id: `${bomb!.uidValidity}-${uid}`, published: true, messageId: '<retry-1@customer.test>', duplicate: false });
    const [event] = await eventually(() => {
      const found = harness.eventsOf(BAD.projectId).filter((candidate) => candidate.envelope.payload.source.uid === uid);
      return found.length > 0 ? found : null;
    });
    expect(event!.envelope.id).toBe(importEventId(BAD.projectId, bomb!.uidValidity, uid));
    expect(event!.envelope.payload).toMatchObject({ subject: 'Grüße', from: { name: 'Jürgen' }, rawObjectKey: key, source: { mailbox: 'INBOX', uid } });
    expect((await list()).map((item) => item.id)).toEqual([bomb!.id]);
    expect((await fetch(`${quarantineUrl}/${bomb!.uidValidity}-${uid}/retry`, { method: 'POST', headers: admin })).status).toBe(404);
  });

  it("applies the channel's size limit: a larger mail is published oversized, with its text and without attachments", async () => {
    await harness.putChannel(BAD.projectId, BAD.user, {
      safety: { maxMessageSizeMb: 1, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 },
    });
    const attachment = randomBytes(1_200_000).toString('base64').replace(/.{76}/gu, '$&\r\n');
    const big = testMail({
      subject: 'big video',
      extraHeaders: [],
      body: 'see the video',
    }).replace('Content-Type: text/plain; charset=utf-8\r\n\r\nsee the video\r\n', [
      'Content-Type: multipart/mixed; boundary="big"',
      '',
      '--big',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'See the video.',
      '--big',
      'Content-Type: video/mp4; name="v.mp4"',
      'Content-Disposition: attachment; filename="v.mp4"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--big--',
      '',
    ].join('\r\n'));
    await harness.dovecot.deliver(BAD.user.username, big);
    const [event] = await eventually(() => (withSubject(BAD.projectId, 'big video').length > 0 ? withSubject(BAD.projectId, 'big video') : null), { timeoutMs: 15_000 });
    expect(event!.envelope.payload).toMatchObject({ oversized: true, attachments: [], text: 'See the video.' });
    expect(event!.envelope.payload.size).toBeGreaterThan(1024 * 1024);
  });

  it('restarts the watcher with new settings when the channel changes', async () => {
    const snapshot = await harness.putChannel(MAIN.projectId, MAIN.user, { encryption: 'ssl', markAsRead: true });
    await eventually(async () => {
      const mailbox = await app.mailbox(MAIN.projectId);
      return mailbox?.revision === snapshot.revision && mailbox.state === 'idle';
    }, { timeoutMs: 10_000 });
    await deliverAndAwait(MAIN.projectId, MAIN.user, 'after settings change');
    const uid = withSubject(MAIN.projectId, 'after settings change')[0]!.envelope.payload.source.uid;
    await eventually(async () => {
      const message = (await harness.dovecot.listInbox(MAIN.user.username)).find((entry) => entry.uid === uid);
      return message?.flags.includes('\\Seen');
    });
    // The mail imported before the change keeps its flags: only mail imported with markAsRead on is marked.
    const earlier = (await harness.dovecot.listInbox(MAIN.user.username)).find((entry) => entry.uid === 1);
    expect(earlier?.flags).not.toContain('\\Seen');
    expectEachImportOnce(MAIN.projectId);
  });

  it('stops the watcher and hands back the lease when the channel is disabled, and resumes when enabled', async () => {
    await harness.putChannel(SEEN.projectId, SEEN.user, { enabled: false, markAsRead: true });
    await eventually(async () => (await app.mailbox(SEEN.projectId)) === undefined, { timeoutMs: 10_000 });
    expect(await harness.leaseHolder(SEEN.projectId)).toBeNull();

    await harness.dovecot.deliver(SEEN.user.username, testMail({ subject: 'while disabled' }));
    // Negative check, bounded by what a watcher would need (well under a second); the re-enable below is the real proof.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(withSubject(SEEN.projectId, 'while disabled')).toHaveLength(0);

    await harness.putChannel(SEEN.projectId, SEEN.user, { markAsRead: true });
    await eventually(() => withSubject(SEEN.projectId, 'while disabled')[0], { timeoutMs: 10_000 });
    expect(harness.eventsOf(SEEN.projectId).map(subjectOf)).toEqual(['seen 1', 'seen 2', 'while disabled']);
  });

  it("takes over a crashed replica's mailbox once its lease expires (TTL 15 s)", async () => {
    const event = await eventually(() => withSubject(ORPHAN.projectId, 'orphan 1')[0], { timeoutMs: 30_000, intervalMs: 250 });
    expect(event.envelope.projectId).toBe(ORPHAN.projectId);
    expect(await harness.leaseHolder(ORPHAN.projectId)).toBe((await app.mailboxes()).replicaId);
  });

  it('serves Prometheus metrics', async () => {
    // The counter moves after the publish is acknowledged, so the test's consumer may see the event first.
    const publishedCount = (metrics: string) => Number(/^ensoras_mail_ingest_mails_imported_total\{result="published",service="mail-ingest"\} (\d+)$/m.exec(metrics)?.[1]);
    const text = await eventually(async () => {
      const metrics = await app.metrics();
      return publishedCount(metrics) === harness.events.length ? metrics : null;
    }, { message: 'the published counter does not match the events on the stream' });
    expect(text).toMatch(/^ensoras_mail_ingest_mails_imported_total\{result="quarantined",service="mail-ingest"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_mailboxes\{state="idle",service="mail-ingest"\} \d+$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_mailboxes\{state="polling",service="mail-ingest"\} 1$/m);
    expect(text).toMatch(/^ensoras_mail_ingest_import_latency_seconds_bucket\{le="1",service="mail-ingest"\} \d+$/m);
    latencies.push(`import latency histogram of the service (INTERNALDATE → stored):\n    ${text.split('\n').filter((line) => line.startsWith('ensoras_mail_ingest_import_latency_seconds')).join('\n    ')}`);
  });

  it('publishes nothing twice after a restart (checkpoint), and has no admin API without ADMIN_TOKEN', async () => {
    const before = harness.events.length;
    await app.close();
    app = await harness.startApp({ ADMIN_TOKEN: undefined });
    // Without the token there is no mailbox listing: the metrics say when MAIN, SEEN, BAD, ORPHAN idle and POLL polls.
    const metrics = await eventually(async () => {
      const text = await app.metrics();
      return /^ensoras_mail_ingest_mailboxes\{state="idle",service="mail-ingest"\} 4$/m.test(text) && /^ensoras_mail_ingest_mailboxes\{state="polling",service="mail-ingest"\} 1$/m.test(text) ? text : null;
    }, { timeoutMs: 15_000, message: 'the mailboxes did not all watch again' });
    expect(metrics).toMatch(/^ensoras_mail_ingest_mails_imported_total\{result="published",service="mail-ingest"\} 0$/m);
    expect(metrics).toMatch(/^ensoras_mail_ingest_mails_imported_total\{result="duplicate",service="mail-ingest"\} 0$/m);
    expect(harness.events.length).toBe(before);

    expect((await fetch(`${app.url}/v1/projects/${BAD.projectId}/quarantine`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${app.url}/v1/mailboxes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);

    await deliverAndAwait(MAIN.projectId, MAIN.user, 'after restart');
    expect(harness.events.length).toBe(before + 1);
  });

  it('re-imports a renumbered mailbox (UIDVALIDITY changed) and JetStream drops the events it already has', async () => {
    await app.close();
    const mailCount = harness.eventsOf(MAIN.projectId).length;
    const before = harness.events.length;
    // As if the server had renumbered the mailbox, or a crash had lost the checkpoint after publishing.
    await harness.sql(`UPDATE mail_ingest.mailbox_checkpoint SET uid_validity = '1', last_uid = 999 WHERE project_id = $1`, [MAIN.projectId]);
    app = await harness.startApp();
    const mailbox = await eventually(async () => {
      const status = await app.mailbox(MAIN.projectId);
      return status?.state === 'idle' && status.importedCount === mailCount ? status : null;
    }, { timeoutMs: 20_000, message: 'mailbox was not re-imported' });
    expect(mailbox.importedCount).toBe(mailCount);
    expect(await app.metrics()).toMatch(new RegExp(`^ensoras_mail_ingest_mails_imported_total\\{result="duplicate",service="mail-ingest"\\} ${mailCount}$`, 'm'));
    expect(harness.events.length).toBe(before);
    expectEachImportOnce(MAIN.projectId);
  });

  it('shares the mailboxes with a replica that joins, one watcher each, and hands them all over on a graceful stop', async () => {
    const second = await harness.startApp();
    const watched = async (target: RunningApp) => (await target.mailboxes()).mailboxes.map((m) => m.projectId);
    // Within a few lease rounds the first replica hands over the half beyond its share and the second takes it.
    const [first, other] = await eventually(async () => {
      const both = [await watched(app), await watched(second)];
      return both[0]!.length === 3 && both[1]!.length === 3 ? both : null;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(other!.filter((projectId) => first!.includes(projectId))).toEqual([]);
    expect([...first!, ...other!].sort()).toEqual([BAD, BROKEN, MAIN, ORPHAN, POLL, SEEN].map((p) => p.projectId).sort());

    const before = harness.events.length;
    await app.close();
    await waitForState(MAIN.projectId, 'idle', second, 15_000);
    await deliverAndAwait(MAIN.projectId, MAIN.user, 'after handover');
    expect(harness.events.length).toBe(before + 1);
    app = second;
    for (const project of [MAIN, SEEN, POLL, BAD, ORPHAN]) expectEachImportOnce(project.projectId);
  });
});
