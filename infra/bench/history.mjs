#!/usr/bin/env node
// Enabling a channel on a mailbox with history (issue #8), on PostgreSQL: BENCH_HISTORY (20,000) mails from the last
// 14 days and, below them, 500 older ones (60 days: before the default `import.since`, so not to be imported) are
// appended to INBOX; then the channel is configured with the defaults and enabled, and the clock starts. The status
// route (`GET /v1/projects/{p}/channels/email/status`) is read every second until it says all are imported; meanwhile
// a new mail arrives every 2 s and its arrival → ticket latency is measured, as a customer writing during the import
// meets it. Import rate = history mails / (status says all imported − enabled): mail-ingest's part, every mail stored
// as mail.received. Ticketing works through them in the project's order, so the last new mail's ticket tells when it
// had caught up. The new mails' AI replies (no response delay) are timed too; the history is not to be answered.
//   node infra/bench/history.mjs        (not part of run.mjs: ~6 min)
import { appendFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { PROJECT, startChannelStack, SUPPORT } from '@ensoras/testing';

const HISTORY = Number(process.env.BENCH_HISTORY ?? 20_000);
const OLD = 500;
const NEW_EVERY_MS = 2_000;
const TIMEOUT_MS = Number(process.env.BENCH_HISTORY_TIMEOUT_S ?? 1_800) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const record = (figure, value, extra = {}) => {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify({ figure, value, database: 'postgres', ...extra })}\n`);
};
const mail = (label, n, date) =>
  [
    `From: Customer ${n} <customer${n}.${label}@bench.test>`,
    'To: support@acme.test',
    `Subject: ${label} question ${n}`,
    `Message-ID: <${label}-${n}@bench.test>`,
    `Date: ${date.toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, this is ${label} question number ${n}. My order has not arrived yet; the tracking page shows the same status for a week.`,
    '',
  ].join('\r\n');

const stack = await startChannelStack('bench-history', { database: 'postgres' });
try {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: stack.dovecot.imapsPort,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: SUPPORT.username, pass: SUPPORT.password },
    logger: false,
  });
  await client.connect();
  const appendStarted = performance.now();
  const day = 24 * 3600 * 1000;
  for (let n = 1; n <= OLD; n++) await client.append('INBOX', mail('old', n, new Date(Date.now() - 60 * day)), [], new Date(Date.now() - 60 * day));
  for (let n = 1; n <= HISTORY; n++) {
    // Spread over the last 13 days, oldest first, as a mailbox fills.
    const at = new Date(Date.now() - 13 * day + (13 * day * n) / HISTORY - 60_000);
    await client.append('INBOX', mail('history', n, at), [], at);
  }
  await client.logout();
  console.log(`[postgres] ${OLD} mails of 60 days ago and ${HISTORY} of the last 13 days appended in ${((performance.now() - appendStarted) / 1000).toFixed(0)} s`);

  const settings = stack.channelSettings({
    responseDelay: { minSeconds: 0, maxSeconds: 0 },
    safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 100, maxAiRepliesPerAddress: 1000, loopWindowMinutes: 1, maxAiRepliesPerHour: 100_000 },
  });
  for (const [method, path, body] of [
    ['PUT', `/v1/projects/${PROJECT}/channels/email`, settings],
    ['POST', `/v1/projects/${PROJECT}/channels/email/enable`, undefined],
  ]) {
    const { status, body: answer } = await stack.api('channel-config', method, path, body);
    if (status !== 200) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(answer)}`);
  }
  const enabled = performance.now();

  // New mail during the import, and when each became a ticket (the inbox API, newest first).
  const arrivals = new Map();
  let sending = true;
  const newMail = (async () => {
    for (let n = 1; sending; n++) {
      await stack.dovecot.deliver(SUPPORT.username, mail('new', n, new Date()));
      arrivals.set(`new question ${n}`, performance.now());
      await sleep(NEW_EVERY_MS);
    }
  })();
  // The inbox (newest first) is read every 100 ms: at ~400 history tickets a second, a new one is still on the page.
  const ticketAt = new Map();
  const replyAt = new Map();
  const watchNew = async () => {
    const { body } = await stack.api('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets?limit=100`);
    const now = performance.now();
    for (const { subject } of body.items) if (subject.startsWith('new question') && !ticketAt.has(subject)) ticketAt.set(subject, now);
    for (const message of stack.smtp.messages) {
      const original = (message.parsed.subject ?? '').replace(/^Re:\s*/i, '');
      if (!replyAt.has(original)) replyAt.set(original, now);
    }
  };
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await watchNew();
      await sleep(100);
    }
  })();

  let last = null;
  let doneAt = null;
  let lastLine = 0;
  while (performance.now() - enabled < TIMEOUT_MS) {
    const { body } = await stack.api('channel-config', 'GET', `/v1/projects/${PROJECT}/channels/email/status`);
    last = body;
    if (performance.now() - lastLine > 10_000) {
      lastLine = performance.now();
      console.log(`  ${((performance.now() - enabled) / 1000).toFixed(0)} s: ${JSON.stringify(body)}`);
    }
    if (body?.total > 0 && body.imported >= body.total && body.state === 'watching') {
      doneAt = performance.now();
      break;
    }
    await sleep(1_000);
  }
  sending = false;
  await newMail;
  for (let wait = 0; wait < 30 && [...arrivals.keys()].some((subject) => !ticketAt.has(subject) || !replyAt.has(subject)); wait++) await sleep(500);
  watching = false;
  await watcher;
  const latencies = [...arrivals].filter(([subject]) => ticketAt.has(subject)).map(([subject, at]) => ticketAt.get(subject) - at);
  const replyLatencies = [...arrivals].filter(([subject]) => replyAt.has(subject)).map(([subject, at]) => replyAt.get(subject) - at);
  const answeredHistory = [...replyAt.keys()].filter((subject) => !subject.startsWith('new question')).length;
  const seconds = doneAt === null ? null : (doneAt - enabled) / 1000;
  const { body: page } = await stack.api('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets?limit=1`);
  console.log(`[postgres] status at the end: ${JSON.stringify(last)}`);
  console.log(
    `  history: ${last?.imported ?? 0} of ${HISTORY} imported ${seconds === null ? `(not within ${TIMEOUT_MS / 1000} s)` : `in ${seconds.toFixed(0)} s: ${(HISTORY / seconds).toFixed(1)} mails/s`}; total said ${last?.total} (the ${OLD} older mails are not to count)`,
  );
  console.log(
    `  new mail meanwhile: ${latencies.length} of ${arrivals.size} became tickets; arrival → ticket p50 ${percentile(latencies, 50)?.toFixed(0)} ms, p95 ${percentile(latencies, 95)?.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
  );
  console.log(
    `  their AI replies (no delay): ${replyLatencies.length} of ${arrivals.size}; arrival → reply at SMTP p50 ${percentile(replyLatencies, 50)?.toFixed(0)} ms, p95 ${percentile(replyLatencies, 95)?.toFixed(0)} ms; history mails answered: ${answeredHistory}`,
  );
  const caughtUp = ticketAt.size > 0 ? (Math.max(...ticketAt.values()) - enabled) / 1000 : null;
  console.log(`  newest ticket: ${page.items[0]?.subject}, seen ${caughtUp?.toFixed(0)} s after enabling (ticketing caught up)`);
  record('history-import', seconds === null ? null : HISTORY / seconds, { mails: HISTORY, total: last?.total });
  record('history-new-ticket-p95', percentile(latencies, 95) ?? null, { count: latencies.length, of: arrivals.size });
  record('history-new-reply-p95', percentile(replyLatencies, 95) ?? null, { count: replyLatencies.length, of: arrivals.size });
} finally {
  await stack.stop();
}
