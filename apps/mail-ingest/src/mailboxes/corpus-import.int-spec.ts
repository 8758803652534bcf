/**
 * All of the mail corpus (packages/testing/corpus: bounces, auto-replies, everyday and malformed mail) delivered into a real mailbox: every
 * message is published as mail.received, in UID order, with a decoded subject or a reason why it could not be; none
 * blocks the mailbox.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, MAIL_CORPUS_DIR } from '@ensoras/testing';
import { ADMIN_TOKEN, IngestHarness, type RunningApp } from '../test-support/ingest-harness.js';

const CORPUS = MAIL_CORPUS_DIR;
const USER = { username: 'corpus@example.test', password: 'corpus-pass' };
const PROJECT = 'p-corpus';

const corpusFiles = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(CORPUS, dir.name))
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .map((name) => join(dir.name, name)),
  );

let harness: IngestHarness;
let app: RunningApp;

beforeAll(async () => {
  harness = await IngestHarness.start([USER]);
  for (const file of corpusFiles) await harness.dovecot.deliver(USER.username, readFileSync(join(CORPUS, file)));
  // Mail that lands in the second the channel is enabled counts as new (imported first): this is the mailbox's history.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await harness.putChannel(PROJECT, USER);
  app = await harness.startApp();
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

describe('the whole corpus through a real mailbox', () => {
  it('publishes every message once, in order, and quarantines none', async () => {
    expect(corpusFiles.length).toBeGreaterThan(600);
    await eventually(() => harness.eventsOf(PROJECT).length >= corpusFiles.length, {
      timeoutMs: 150_000,
      intervalMs: 500,
      message: `not every corpus message was published (${harness.eventsOf(PROJECT).length}/${corpusFiles.length})`,
    });
    const events = harness.eventsOf(PROJECT);
    expect(events.map((event) => event.envelope.payload.source.uid)).toEqual(corpusFiles.map((_, index) => index + 1));

    const quarantine = await fetch(`${app.url}/v1/projects/${PROJECT}/quarantine`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await quarantine.json()).toMatchObject({ items: [] });

    // Every bounce file is recognised as a bounce or feedback report, every auto-reply as one, each with reasons.
    events.forEach((event, index) => {
      const { classification } = event.envelope.payload;
      expect(classification.reasons.length > 0 || classification.kind === 'normal', corpusFiles[index]).toBe(true);
      if (corpusFiles[index].startsWith('bounces/')) expect(['bounce', 'feedback-report'], corpusFiles[index]).toContain(classification.kind);
      if (corpusFiles[index].startsWith('auto-replies/')) expect(['auto-reply', 'out-of-office'], corpusFiles[index]).toContain(classification.kind);
    });
  }, 180_000);
});
