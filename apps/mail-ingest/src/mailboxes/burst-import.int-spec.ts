/**
 * A backlog in one mailbox, as when a channel is enabled on a mailbox with history or a reply-storm lands: every mail
 * published once and in UID order, a bad mail in the middle quarantined without holding up the rest, and a restart in
 * the middle of the backlog losing nothing. The burst rate (mail.received stored per second) is printed, not asserted:
 * on a shared 2-core machine a timed assertion would only measure the neighbours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type MailUser } from '@ensoras/testing';
import { ADMIN_TOKEN, IngestHarness, testMail, type RunningApp } from '../test-support/ingest-harness.js';

const BURST = { projectId: 'p-burst', user: { username: 'burst@example.test', password: 'burst-pass' } };
const RESTART = { projectId: 'p-restart', user: { username: 'restart@example.test', password: 'restart-pass' } };
const BURST_SIZE = Number(process.env.BURST_SIZE ?? 500);
const RESTART_BACKLOG = 240;
const BAD_UID = 117;

/** More MIME parts than the parser accepts: quarantined. */
const mimeBomb = () => {
  const parts = Array.from({ length: 1_100 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
  return `From: ann@customer.test\r\nSubject: too many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`;
};

let harness: IngestHarness;
let app: RunningApp | undefined;

/** Saves mails into a mailbox in this order (UIDs 1..n when it was empty). */
async function fill(user: MailUser, count: number, mailAt: (uid: number) => string): Promise<void> {
  for (let uid = 1; uid <= count; uid += 1) await harness.dovecot.deliver(user.username, mailAt(uid));
}

const uidsOf = (projectId: string) => harness.eventsOf(projectId).map((event) => event.envelope.payload.source.uid);

beforeAll(async () => {
  harness = await IngestHarness.start([BURST.user, RESTART.user]);
  await fill(BURST.user, BURST_SIZE, (uid) => testMail({ subject: `burst ${uid}` }));
  await fill(RESTART.user, RESTART_BACKLOG, (uid) => (uid === BAD_UID ? mimeBomb() : testMail({ subject: `backlog ${uid}` })));
  // Mail that lands in the second the channel is enabled counts as new: these are the mailbox's history.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}, 300_000);

afterAll(async () => {
  await harness?.stop();
});

describe('a backlog in one mailbox', () => {
  it(`publishes a burst of ${BURST_SIZE} mails once each, in UID order (and prints the rate)`, async () => {
    app = await harness.startApp();
    const enabledAt = Date.now();
    await harness.putChannel(BURST.projectId, BURST.user);
    await eventually(() => harness.eventsOf(BURST.projectId).length >= BURST_SIZE, {
      timeoutMs: 120_000,
      intervalMs: 100,
      message: `not every mail of the burst was published (${harness.eventsOf(BURST.projectId).length}/${BURST_SIZE})`,
    });
    const events = harness.eventsOf(BURST.projectId);
    expect(uidsOf(BURST.projectId)).toEqual(Array.from({ length: BURST_SIZE }, (_, index) => index + 1));

    const first = events[0]!.receivedAt;
    const last = events.at(-1)!.receivedAt;
    const rate = ((events.length - 1) * 1000) / Math.max(1, last - first);
    const overall = (events.length * 1000) / Math.max(1, last - enabledAt);
    console.info(
      `burst of ${BURST_SIZE}: ${rate.toFixed(0)} mail.received stored/s from first to last event ` +
        `(${last - first} ms); ${overall.toFixed(0)}/s from enabling the channel (${last - enabledAt} ms)`,
    );
    await harness.putChannel(BURST.projectId, BURST.user, { enabled: false });
  }, 180_000);

  it('quarantines a bad mail in the middle, survives a restart mid-backlog, and publishes the rest once each, in order', async () => {
    await harness.putChannel(RESTART.projectId, RESTART.user, { markAsRead: true });
    // Stop while the backlog is being imported: some of it stored, some of it in flight.
    await eventually(() => harness.eventsOf(RESTART.projectId).length >= 40, { timeoutMs: 60_000, intervalMs: 5 });
    await app!.close();
    const stoppedWith = uidsOf(RESTART.projectId);
    expect(stoppedWith.length).toBeLessThan(RESTART_BACKLOG - 1);

    // The checkpoint never passes a mail whose event is not stored (or which is not quarantined).
    // The backlog was there before the channel was enabled: it is the mailbox's history, with its own position.
    const { rows } = await harness.sql('SELECT backfill_uid FROM mail_ingest.mailbox_checkpoint WHERE project_id = $1', [RESTART.projectId]);
    const checkpoint = Number(rows[0]?.backfill_uid ?? 0);
    const stored = new Set(stoppedWith);
    for (let uid = 1; uid <= checkpoint; uid += 1) if (uid !== BAD_UID) expect(stored.has(uid), `uid ${uid} below checkpoint ${checkpoint}`).toBe(true);
    // \Seen only on mail whose event is stored.
    const flagged = (await harness.dovecot.listInbox(RESTART.user.username)).filter((message) => message.flags.includes('\\Seen'));
    for (const message of flagged) expect(stored.has(message.uid), `uid ${message.uid} seen without its event`).toBe(true);

    app = await harness.startApp();
    const expected = Array.from({ length: RESTART_BACKLOG }, (_, index) => index + 1).filter((uid) => uid !== BAD_UID);
    await eventually(() => harness.eventsOf(RESTART.projectId).length >= expected.length, {
      timeoutMs: 60_000,
      intervalMs: 100,
      message: `not every mail of the backlog was published (${harness.eventsOf(RESTART.projectId).length}/${expected.length})`,
    });
    // Nothing twice, nothing lost, in UID order across the restart (JetStream drops the re-published ones).
    expect(uidsOf(RESTART.projectId)).toEqual(expected);

    const quarantine = await fetch(`${app.url}/v1/projects/${RESTART.projectId}/quarantine`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { items } = (await quarantine.json()) as { items: Array<{ uid: number; reason: string }> };
    expect(items.map((item) => item.uid)).toEqual([BAD_UID]);
    expect(items[0]!.reason).toMatch(/part|node/i);

    await eventually(async () => {
      const checkpointRow = await harness.sql('SELECT last_uid FROM mail_ingest.mailbox_checkpoint WHERE project_id = $1', [RESTART.projectId]);
      return Number(checkpointRow.rows[0]?.last_uid) === RESTART_BACKLOG;
    }, { timeoutMs: 10_000, message: 'the checkpoint did not reach the last UID' });
    // markAsRead: every published mail is \Seen, the quarantined one is not.
    await eventually(async () => {
      const inbox = await harness.dovecot.listInbox(RESTART.user.username);
      const seen = inbox.filter((message) => message.flags.includes('\\Seen')).map((message) => message.uid);
      return seen.length === expected.length ? seen : null;
    }, { timeoutMs: 10_000, message: 'not every published mail was marked \\Seen' });
    const inbox = await harness.dovecot.listInbox(RESTART.user.username);
    expect(inbox.find((message) => message.uid === BAD_UID)?.flags).not.toContain('\\Seen');
  }, 180_000);
});
