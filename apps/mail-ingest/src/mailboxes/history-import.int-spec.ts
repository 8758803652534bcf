/**
 * Enabling a channel on a mailbox with history: only mail that arrived since the channel's `import.since` becomes
 * tickets (default: the last 14 days), mail arriving later always does, and the admin sees the progress in the
 * status mail-ingest reports (KV `mailbox-status`, read by channel-config's status route).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type MailUser } from '@ensoras/testing';
import { ImapFlow } from 'imapflow';
import { IngestHarness, testMail, type RunningApp } from '../test-support/ingest-harness.js';

const SINCE = { projectId: 'p-since', user: { username: 'since@example.test', password: 'since-pass' } };
const DEFAULT = { projectId: 'p-default', user: { username: 'default@example.test', password: 'default-pass' } };
const ALL = { projectId: 'p-all', user: { username: 'all@example.test', password: 'all-pass' } };
const BACKLOG = { projectId: 'p-backlog', user: { username: 'backlog@example.test', password: 'backlog-pass' } };
const BUSY = { projectId: 'p-busy', user: { username: 'busy@example.test', password: 'busy-pass' } };
const BUSY_HISTORY = 800;
const LATE = { projectId: 'p-late', user: { username: 'late@example.test', password: 'late-pass' } };
const DAY_MS = 24 * 60 * 60 * 1000;

let harness: IngestHarness;
let app: RunningApp;

/** Appends mail as a mail client or a migration tool would, with the day it arrived (INTERNALDATE). */
async function appendArrivedAt(user: MailUser, mails: Array<{ subject: string; arrivedAt: Date }>): Promise<void> {
  const client = new ImapFlow({
    host: harness.dovecot.host,
    port: harness.dovecot.imapPort,
    secure: false,
    // The test Dovecot's certificate is self-signed.
    tls: { rejectUnauthorized: false },
    auth: { user: user.username, pass: user.password },
    logger: false,
  });
  await client.connect();
  try {
    for (const mail of mails) await client.append('INBOX', testMail({ subject: mail.subject }), [], mail.arrivedAt);
  } finally {
    await client.logout();
  }
}

const subjectsOf = (projectId: string) => harness.eventsOf(projectId).map((event) => event.envelope.payload.subject);
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

beforeAll(async () => {
  harness = await IngestHarness.start([SINCE.user, DEFAULT.user, ALL.user, BACKLOG.user, BUSY.user, LATE.user]);
  const history = [
    { subject: 'three years ago', arrivedAt: daysAgo(3 * 365) },
    { subject: 'sixty days ago', arrivedAt: daysAgo(60) },
    { subject: 'twenty days ago', arrivedAt: daysAgo(20) },
    { subject: 'ten days ago', arrivedAt: daysAgo(10) },
    { subject: 'yesterday', arrivedAt: daysAgo(1) },
  ];
  for (const { user } of [SINCE, DEFAULT, ALL]) await appendArrivedAt(user, history);
  await appendArrivedAt(BACKLOG.user, Array.from({ length: 180 }, (_, index) => ({ subject: `backlog ${index + 1}`, arrivedAt: daysAgo(2) })));
  await appendArrivedAt(LATE.user, Array.from({ length: 120 }, (_, index) => ({ subject: `late history ${index + 1}`, arrivedAt: daysAgo(1) })));
  await appendArrivedAt(BUSY.user, Array.from({ length: BUSY_HISTORY }, (_, index) => ({ subject: `history ${index + 1}`, arrivedAt: daysAgo(3) })));
  app = await harness.startApp();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('how much history a newly enabled channel imports', () => {
  it('imports mail since import.since, then every new mail, and reports watching with the counts', async () => {
    await harness.putChannel(SINCE.projectId, SINCE.user, { importSince: daysAgo(30).toISOString() });
    await eventually(() => subjectsOf(SINCE.projectId).length === 3, { timeoutMs: 30_000 });
    await harness.dovecot.deliver(SINCE.user.username, testMail({ subject: 'new today' }));
    await eventually(() => subjectsOf(SINCE.projectId).length === 4, { timeoutMs: 30_000 });
    expect(subjectsOf(SINCE.projectId)).toEqual(['twenty days ago', 'ten days ago', 'yesterday', 'new today']);
    const report = await eventually(async () => {
      const current = await harness.statusReport(SINCE.projectId);
      return current?.state === 'watching' && current.imported === 4 ? current : null;
    });
    expect(report).toMatchObject({ projectId: SINCE.projectId, revision: 1, total: 4, lastError: null });
    expect(report.lastImportAt).not.toBeNull();
  });

  it('imports the last 14 days when the channel does not say', async () => {
    await harness.putChannel(DEFAULT.projectId, DEFAULT.user);
    await eventually(() => subjectsOf(DEFAULT.projectId).length === 2, { timeoutMs: 30_000 });
    // Nothing older follows: the checkpoint starts below the first mail of the window.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(subjectsOf(DEFAULT.projectId)).toEqual(['ten days ago', 'yesterday']);
  });

  it('imports the whole mailbox for import.since null', async () => {
    await harness.putChannel(ALL.projectId, ALL.user, { importSince: null });
    await eventually(() => subjectsOf(ALL.projectId).length === 5, { timeoutMs: 30_000 });
    expect(subjectsOf(ALL.projectId)[0]).toBe('three years ago');
  });

  it('keeps its start when the settings change: nothing is imported twice, no history is added', async () => {
    await harness.putChannel(SINCE.projectId, SINCE.user, { importSince: null });
    await harness.dovecot.deliver(SINCE.user.username, testMail({ subject: 'after the change' }));
    await eventually(() => subjectsOf(SINCE.projectId).length === 5, { timeoutMs: 30_000 });
    expect(subjectsOf(SINCE.projectId).slice(3)).toEqual(['new today', 'after the change']);
  });

  it('reports a backlog as backfilling with its progress, then watching with all of it imported', async () => {
    const seen = new Set<string>();
    const watch = setInterval(() => {
      void harness.statusReport(BACKLOG.projectId).then((report) => report && seen.add(`${report.state}:${report.total}`));
    }, 20);
    try {
      await harness.putChannel(BACKLOG.projectId, BACKLOG.user, { importSince: null });
      await eventually(async () => {
        const report = await harness.statusReport(BACKLOG.projectId);
        return report?.state === 'watching' && report.imported === 180 ? report : null;
      }, { timeoutMs: 30_000 });
    } finally {
      clearInterval(watch);
    }
    expect(subjectsOf(BACKLOG.projectId)).toHaveLength(180);
    expect(seen.has('backfilling:180')).toBe(true);
    expect(app).toBeDefined();
  });

  it('counts mail that landed after the channel was enabled as new, even when it was there before the first read', async () => {
    // The channel was enabled a minute ago; mail-ingest reads the mailbox only now (it was down, or busy).
    await harness.dovecot.deliver(LATE.user.username, testMail({ subject: 'written after enabling' }));
    await harness.putChannel(LATE.projectId, LATE.user, { updatedAt: new Date(Date.now() - 60_000) });
    await eventually(() => subjectsOf(LATE.projectId).length === 121, { timeoutMs: 30_000 });
    const events = harness.eventsOf(LATE.projectId);
    expect(events[0]!.envelope.payload.subject).toBe('written after enabling');
    expect(events[0]!.backlog).toBe(false);
    expect(events.slice(1).every((event) => event.backlog)).toBe(true);
  });

  it('imports new mail ahead of the history still waiting, and marks the history for the backlog lanes', async () => {
    await harness.putChannel(BUSY.projectId, BUSY.user);
    // The customer writes once the import has begun.
    await eventually(() => subjectsOf(BUSY.projectId).length > 0, { timeoutMs: 30_000 });
    await harness.dovecot.deliver(BUSY.user.username, testMail({ subject: 'written during the import' }));
    await eventually(() => subjectsOf(BUSY.projectId).length === BUSY_HISTORY + 1, { timeoutMs: 60_000 });

    const events = harness.eventsOf(BUSY.projectId);
    const position = events.findIndex((event) => event.envelope.payload.subject === 'written during the import');
    const historyAfter = events.slice(position + 1).length;
    // Without the two ranges the new mail would come last, after all 800.
    expect(historyAfter).toBeGreaterThan(0);
    expect(events[position]!.backlog).toBe(false);
    expect(events.filter((event) => event.backlog)).toHaveLength(BUSY_HISTORY);
    // Each range keeps its own order.
    const history = events.filter((event) => event.backlog).map((event) => event.envelope.payload.subject);
    expect(history).toEqual(Array.from({ length: BUSY_HISTORY }, (_, index) => `history ${index + 1}`));
    const report = await eventually(async () => {
      const current = await harness.statusReport(BUSY.projectId);
      return current?.state === 'watching' && current.imported === BUSY_HISTORY + 1 ? current : null;
    });
    expect(report.total).toBe(BUSY_HISTORY + 1);
  }, 120_000);
});
