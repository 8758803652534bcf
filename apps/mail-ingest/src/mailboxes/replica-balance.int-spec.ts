/**
 * Mailboxes shared by mail-ingest replicas: each replica watches an even share, a replica that joins takes its share
 * from the others, one that stops hands its mailboxes over, and no mail is published twice or lost meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type MailUser } from '@ensoras/testing';
import { IngestHarness, testMail, type RunningApp } from '../test-support/ingest-harness.js';

const MAILBOXES = Array.from({ length: 12 }, (_, index) => ({
  projectId: `p-share-${index + 1}`,
  user: { username: `share${index + 1}@example.test`, password: `share-pass-${index + 1}` } satisfies MailUser,
}));

let harness: IngestHarness;
const replicas: RunningApp[] = [];

const watchedBy = async (replica: RunningApp) => (await replica.mailboxes()).mailboxes.map((mailbox) => mailbox.projectId);

/** Each replica's mailboxes, once their counts are `expected` (in order) and together they cover every mailbox once. */
async function shares(expected: number[]): Promise<string[][]> {
  return eventually(
    async () => {
      const lists = await Promise.all(replicas.map(watchedBy));
      const all = lists.flat();
      const even = lists.every((list, index) => list.length === expected[index]);
      return even && new Set(all).size === all.length && all.length === MAILBOXES.length ? lists : null;
    },
    { timeoutMs: 40_000, intervalMs: 250, message: `the replicas did not settle on ${expected.join(' / ')} mailboxes` },
  );
}

/** A mail into every mailbox; resolves once each is published. */
async function mailEveryone(subject: string): Promise<void> {
  for (const { user } of MAILBOXES) await harness.dovecot.deliver(user.username, testMail({ subject }));
  await eventually(() => MAILBOXES.every(({ projectId }) => harness.eventsOf(projectId).some((event) => event.envelope.payload.subject === subject)), {
    timeoutMs: 30_000,
    message: `"${subject}" was not published for every mailbox`,
  });
}

beforeAll(async () => {
  harness = await IngestHarness.start(MAILBOXES.map(({ user }) => user));
  for (const { projectId, user } of MAILBOXES) await harness.putChannel(projectId, user);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('mailboxes shared by replicas', () => {
  it('a single replica watches them all; a second and third that join take an even share', async () => {
    replicas.push(await harness.startApp());
    await shares([12]);
    await mailEveryone('one replica');

    replicas.push(await harness.startApp());
    await shares([6, 6]);
    replicas.push(await harness.startApp());
    await shares([4, 4, 4]);
    await mailEveryone('three replicas');
  });

  it('the mailboxes of a replica that stops go to the others, evenly', async () => {
    await replicas.shift()!.close();
    await shares([6, 6]);
    await mailEveryone('after a stop');
  });

  it('published every mail once, and lost none', () => {
    for (const { projectId } of MAILBOXES) {
      const subjects = harness.eventsOf(projectId).map((event) => event.envelope.payload.subject);
      expect(subjects, projectId).toEqual(['one replica', 'three replicas', 'after a stop']);
    }
  });
});
