// Intake through the five built services (startChannelStack: real Dovecot, SMTP server, locked-down NATS) on one
// database, `--database=postgres` (a fresh PostgreSQL database) or `--database=embedded` (one embedded PostgreSQL server,
// as under `npm start`), with a zero response delay. In this order:
//   1. latency: single mails 0.5–3 s apart, arrival → ticket in the inbox API and → AI reply at the SMTP server;
//   2. burst: N mails appear in INBOX at once (appended to a side folder, then one IMAP MOVE), → all tickets and → all
//      AI replies, as mails/s counted from the MOVE;
//   3. raw limit: the same N mails from the same mailbox, one FETCH of their UID range (BODY.PEEK[]) with imapflow and
//      mailparser's simpleParser of each, in this process (median of three passes): what any IMAP client could do at
//      best on this machine;
//   4. neighbour: while project A (acme) works through a backlog of BENCH_NEIGHBOUR_BACKLOG mails moved into its
//      INBOX at once, project B (a second mailbox and project) gets single mails 0.5–1.5 s apart: B's arrival →
//      ticket, against the single-mail latency of step 1 (no head-of-line blocking between projects).
// Figures go to stdout, and as JSON lines to $BENCH_RESULTS when set (run.mjs turns them into its table).
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { PROJECT, startChannelStack, SUPPORT } from '@ensoras/testing';
import { processCpuWindow } from './process-cpu.mjs';

const database = process.argv.find((arg) => arg.startsWith('--database='))?.split('=')[1] ?? 'postgres';
if (database !== 'postgres' && database !== 'embedded') throw new Error(`--database=${database}: postgres or embedded`);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 500);
// 5,000 takes minutes per database; opt in.
const LARGE_BURST = process.env.BENCH_LARGE_BURST ? Number(process.env.BENCH_LARGE_BURST) : 0;
// A burst that is not through after this long is reported as such instead of waited for forever.
const BURST_TIMEOUT_MS = Number(process.env.BENCH_BURST_TIMEOUT_S ?? 600) * 1000;
const NEIGHBOUR_BACKLOG = Number(process.env.BENCH_NEIGHBOUR_BACKLOG ?? 2000);
/** Mails answered after a response delay of DUE_DELAY_S, for the due-time precision (0 leaves it out). */
const DUE_MAILS = Number(process.env.BENCH_DUE ?? 10);
const DUE_DELAY_S = 3;
const NEIGHBOUR_SINGLE = 10;
const NEIGHBOUR = { project: 'neighbour', user: { username: 'support@neighbour.test', password: 'neighbour-imap-password' } };

const record = (figure, value, extra = {}) => {
  const line = { database, figure, value, ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The whole machine's busy CPU time so far, in core-seconds (/proc/stat: user, nice, system, irq, softirq, steal). */
const machineBusySeconds = () => {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
};
/**
 * Samples machineBusySeconds every 100 ms until stopped; `at(time)` is the busy time at the sample nearest `time`.
 * For the CPU a burst costs: everything on the machine (services, PostgreSQL, NATS, Dovecot, this bench) counts.
 */
const sampleMachineCpu = () => {
  const samples = [[performance.now(), machineBusySeconds()]];
  const timer = setInterval(() => samples.push([performance.now(), machineBusySeconds()]), 100);
  return {
    stop: () => clearInterval(timer),
    at: (time) => samples.reduce((best, sample) => (Math.abs(sample[0] - time) < Math.abs(best[0] - time) ? sample : best))[1],
  };
};
// A customer mail of ordinary size (about 2.5 KB): text and HTML alternatives, as mail clients send them.
const PARAGRAPH = 'My order has not arrived yet. The tracking page has shown the same status for a week and nobody answers the phone. ';
const mail = (n, label) => {
  const boundary = `alt-${label}-${n}`;
  const text = `Hello, this is ${label} question number ${n}.\r\n\r\n${PARAGRAPH.repeat(8)}\r\n\r\nBest regards,\r\nCustomer ${n}`;
  const html = `<html><body><p>Hello, this is <b>${label}</b> question number ${n}.</p><p>${PARAGRAPH.repeat(8)}</p><p>Best regards,<br>Customer ${n}</p></body></html>`;
  return [
    `From: Customer ${n} <customer${n}.${label}@bench.test>`,
    'To: support@acme.test',
    `Subject: ${label} question ${n}`,
    `Message-ID: <${label}-${n}@bench.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
};

const stack = await startChannelStack(`bench-${database}`, { database, extraMailUsers: [NEIGHBOUR.user] });
const imapOptions = {
  host: '127.0.0.1',
  port: stack.dovecot.imapsPort,
  secure: true,
  tls: { rejectUnauthorized: false },
  auth: { user: SUPPORT.username, pass: SUPPORT.password },
  logger: false,
};

let observing = true;
let observer;
try {
  const settings = stack.channelSettings({
    responseDelay: { minSeconds: 0, maxSeconds: 0 },
    safety: {
      maxMessageSizeMb: 25,
      maxAiRepliesPerTicket: 100,
      maxAiRepliesPerAddress: 1000,
      loopWindowMinutes: 1,
      maxAiRepliesPerHour: 100_000,
    },
  });
  const neighbourSettings = { ...settings, imap: { ...settings.imap, username: NEIGHBOUR.user.username, password: NEIGHBOUR.user.password } };
  for (const [method, path, body] of [
    ['PUT', `/v1/projects/${PROJECT}/channels/email`, settings],
    ['POST', `/v1/projects/${PROJECT}/channels/email/enable`, undefined],
    ['PUT', `/v1/projects/${NEIGHBOUR.project}/channels/email`, neighbourSettings],
    ['POST', `/v1/projects/${NEIGHBOUR.project}/channels/email/enable`, undefined],
  ]) {
    const { status, body: answer } = await stack.api('channel-config', method, path, body);
    if (status !== 200) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(answer)}`);
  }

  // One observer notes when each mail's ticket (inbox API) and AI reply (SMTP server) are first seen, by subject. The
  // inbox lists newest first: it reads pages until one brings nothing new, so a poll stays cheap during a burst (the
  // probe competes for the same two cores: every 20 ms for single mails, every 100 ms during a burst).
  const ticketSeen = new Map();
  const replySeen = new Map();
  // Set when the wait stalls: a ticket committed late with an earlier creation time sits behind known ones.
  let fullScan = false;
  // Subjects are unique across both projects (each mail's label says which).
  async function observeTickets() {
    await observeProjectTickets(PROJECT);
    if (watchNeighbour) await observeProjectTickets(NEIGHBOUR.project);
  }
  let watchNeighbour = false;
  async function observeProjectTickets(project) {
    let cursor = null;
    for (let limit = 10; ; limit = 100) {
      const { body } = await stack.api('ticketing', 'GET', `/v1/projects/${project}/tickets?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      // Seen once the answer is here: a client could not know sooner.
      const now = performance.now();
      let fresh = 0;
      for (const { subject } of body.items) {
        if (ticketSeen.has(subject)) continue;
        ticketSeen.set(subject, now);
        fresh++;
      }
      cursor = body.nextCursor;
      if (!cursor || (fresh < body.items.length && !fullScan)) return;
    }
  }
  function observeReplies() {
    const now = performance.now();
    for (const message of stack.smtp.messages) {
      const original = (message.parsed.subject ?? '').replace(/^Re:\s*/i, '');
      if (!replySeen.has(original)) replySeen.set(original, now);
    }
  }
  let pollEveryMs = 20;
  observer = (async () => {
    while (observing) {
      const scanning = fullScan;
      await observeTickets();
      if (scanning) fullScan = false;
      observeReplies();
      await sleep(pollEveryMs);
    }
  })();
  let observerFailure;
  observer.catch((error) => (observerFailure = error));
  /** Waits until every subject was seen (or the deadline passed); the time each was first seen, undefined if not. */
  async function seenTimes(seen, subjects, timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    let missing = subjects.filter((subject) => !seen.has(subject)).length;
    let progressAt = performance.now();
    while (missing > 0 && performance.now() < deadline) {
      if (observerFailure) throw observerFailure;
      await sleep(50);
      const nowMissing = subjects.filter((subject) => !seen.has(subject)).length;
      if (nowMissing < missing) progressAt = performance.now();
      else if (performance.now() - progressAt > 2000) [fullScan, progressAt] = [true, performance.now()];
      missing = nowMissing;
    }
    return subjects.map((subject) => seen.get(subject));
  }

  // 1. Latency: arrival is when the mail is in the mailbox (doveadm save returned).
  const arrivals = [];
  for (let n = 1; n <= SINGLE; n++) {
    if (n > 1) await sleep(500 + Math.random() * 2500);
    await stack.dovecot.deliver(SUPPORT.username, mail(n, 'single'));
    arrivals.push([`single question ${n}`, performance.now()]);
  }
  const delays = async (seen) =>
    (await seenTimes(seen, arrivals.map(([subject]) => subject), 60_000))
      .map((at, index) => (at === undefined ? undefined : at - arrivals[index][1]))
      .filter((delay) => delay !== undefined);
  /**
   * When ticketing recorded each mail (its "<message-id> in <project> → ticket" log line, epoch ms), to split arrival →
   * ticket into the pipeline (mail-ingest, NATS, ticketing) and the inbox API seeing it (the poll and the read).
   */
  function recordedAt(messageIds) {
    const wanted = new Set(messageIds);
    const found = new Map();
    for (const line of stack.services.logs('ticketing').split('\n')) {
      if (!line.includes('→ ticket')) continue;
      try {
        const { time, msg } = JSON.parse(line);
        const id = String(msg).split(' ')[0];
        if (wanted.has(id) && !found.has(id)) found.set(id, Date.parse(time));
      } catch {
        // Not a JSON line.
      }
    }
    return messageIds.map((id) => found.get(id));
  }
  /** arrival → recorded by ticketing, p50 / p95 (ms), for mails `label-n` arrived at `arrivals` (performance.now()). */
  function pipelineSplit(label, arrivals) {
    const recorded = recordedAt(arrivals.map((_, index) => `<${label}-${index + 1}@bench.test>`));
    const delays = recorded
      .map((at, index) => (at === undefined ? undefined : at - (performance.timeOrigin + arrivals[index][1])))
      .filter((delay) => delay !== undefined);
    return delays.length === 0 ? 'not in the logs' : `p50 ${percentile(delays, 50).toFixed(0)} ms, p95 ${percentile(delays, 95).toFixed(0)} ms`;
  }

  const toTicket = await delays(ticketSeen);
  const toReply = await delays(replySeen);
  const ms = (value) => (value === undefined ? 'n/a' : `${value.toFixed(0)} ms`);
  console.log(`[${database}] ${SINGLE} single mails 0.5–3 s apart (${toTicket.length} tickets, ${toReply.length} replies seen):`);
  console.log(`  arrival → ticket: p50 ${ms(percentile(toTicket, 50))}, p95 ${ms(percentile(toTicket, 95))}, max ${ms(Math.max(...toTicket))}`);
  console.log(`  arrival → AI reply at SMTP: p50 ${ms(percentile(toReply, 50))}, p95 ${ms(percentile(toReply, 95))}`);
  console.log(`  of which arrival → recorded by ticketing (its log line): ${pipelineSplit('single', arrivals)}`);
  record('single-ticket-p50', percentile(toTicket, 50), { count: toTicket.length, of: SINGLE });
  record('single-ticket-p95', percentile(toTicket, 95), { count: toTicket.length, of: SINGLE });
  record('single-reply-p95', percentile(toReply, 95), { count: toReply.length, of: SINGLE });

  // 1b. Due-time precision: with a response delay of DUE_DELAY_S, how late after its due time each reply reaches the
  // SMTP server. Due is counted from when the ticket was seen in the inbox API (a little after ai-responder learned
  // of the message, so the figure errs on the late side).
  if (DUE_MAILS > 0) {
    await setResponseDelay(DUE_DELAY_S);
    const dueArrivals = [];
    for (let n = 1; n <= DUE_MAILS; n++) {
      if (n > 1) await sleep(500 + Math.random() * 1000);
      await stack.dovecot.deliver(SUPPORT.username, mail(n, 'delayed'));
      dueArrivals.push(`delayed question ${n}`);
    }
    const ticketsAt = await seenTimes(ticketSeen, dueArrivals, 60_000);
    const repliesAt = await seenTimes(replySeen, dueArrivals, 60_000 + DUE_DELAY_S * 1000);
    const late = dueArrivals
      .map((_, index) => (ticketsAt[index] === undefined || repliesAt[index] === undefined ? undefined : repliesAt[index] - ticketsAt[index] - DUE_DELAY_S * 1000))
      .filter((value) => value !== undefined);
    console.log(`[${database}] ${DUE_MAILS} mails with a response delay of ${DUE_DELAY_S} s (${late.length} replies seen):`);
    console.log(`  reply at SMTP − due time: p50 ${ms(percentile(late, 50))}, p95 ${ms(percentile(late, 95))}, max ${ms(Math.max(...late))}`);
    record('due-precision-p95', late.length === DUE_MAILS ? percentile(late, 95) : null, { count: late.length, of: DUE_MAILS, delaySeconds: DUE_DELAY_S });
    await setResponseDelay(0);
  }

  // 2 + 3, for the default burst and the optional large one.
  pollEveryMs = 100;
  for (const [size, label] of [[BURST, 'burst'], ...(LARGE_BURST ? [[LARGE_BURST, 'large']] : [])]) {
    const { uids, ticketRate, replyRate, publishedRate, cpu } = await burst(size, label);
    // A warm-up pass (the services are warm too), then three, the median: one pass takes well under a second, so
    // one hiccup of the shared machine would swing it.
    await fetchAndParse(uids);
    const passes = [];
    for (let pass = 0; pass < 3; pass++) passes.push(await fetchAndParse(uids));
    const raw = percentile(passes, 50);
    const suffix = label === 'burst' ? '' : '-large';
    console.log(`  raw limit, same ${size} mails: one FETCH + simpleParser ${raw.toFixed(0)} mails/s (median of ${passes.map((value) => value.toFixed(0)).join(', ')})`);
    record(`raw${suffix}`, raw, { size });
    record(`burst-published${suffix}`, publishedRate, { size });
    record(`burst-tickets${suffix}`, ticketRate, { size });
    record(`burst-replies${suffix}`, replyRate, { size });
    if (cpu) record(`burst-cpu-ms-per-mail${suffix}`, cpu.msPerMail, { size, busyShare: cpu.busyShare, ceiling: cpu.ceiling });
    if (cpu) console.log(`  ${raw.toFixed(0)} mails/s raw needs ≤ ${((cpus().length * 1000) / (raw / 2)).toFixed(2)} ms of CPU per mail for half of it on ${cpus().length} cores`);
  }

  // 4. Neighbour: B's single mails while A's backlog is being worked through (BENCH_NEIGHBOUR_BACKLOG=0 leaves it out).
  if (NEIGHBOUR_BACKLOG > 0) {
    const label = 'backlog';
    const { move } = await stage(NEIGHBOUR_BACKLOG, label);
    const backlogSubjects = Array.from({ length: NEIGHBOUR_BACKLOG }, (_, index) => `${label} question ${index + 1}`);
    watchNeighbour = true;
    pollEveryMs = 20;
    const { arrived } = await move();
    const neighbourArrivals = [];
    for (let n = 1; n <= NEIGHBOUR_SINGLE; n++) {
      await sleep(500 + Math.random() * 1000);
      await stack.dovecot.deliver(NEIGHBOUR.user.username, mail(n, 'neighbour'));
      neighbourArrivals.push([`neighbour question ${n}`, performance.now()]);
    }
    const seen = await seenTimes(ticketSeen, neighbourArrivals.map(([subject]) => subject), 120_000);
    const lastNeighbourAt = Math.max(...seen.filter((at) => at !== undefined));
    const backlogDoneBefore = backlogSubjects.filter((subject) => (ticketSeen.get(subject) ?? Infinity) <= lastNeighbourAt).length;
    const toNeighbourTicket = seen.map((at, index) => (at === undefined ? undefined : at - neighbourArrivals[index][1])).filter((delay) => delay !== undefined);
    const backlogAt = await seenTimes(ticketSeen, backlogSubjects, BURST_TIMEOUT_MS);
    const backlogSeconds = backlogAt.includes(undefined) ? null : (Math.max(...backlogAt) - arrived) / 1000;
    const p50 = percentile(toNeighbourTicket, 50);
    const p95 = percentile(toNeighbourTicket, 95);
    console.log(`[${database}] project B's ${NEIGHBOUR_SINGLE} single mails while project A works through ${NEIGHBOUR_BACKLOG} (${toNeighbourTicket.length} tickets seen):`);
    console.log(`  B arrival → ticket: p50 ${ms(p50)}, p95 ${ms(p95)}; ${backlogDoneBefore} of A's ${NEIGHBOUR_BACKLOG} were tickets when B's last one was`);
    console.log(`  of which B's arrival → recorded by ticketing (its log line): ${pipelineSplit('neighbour', neighbourArrivals)}`);
    console.log(`  A's backlog: all tickets ${backlogSeconds === null ? 'not within the timeout' : `after ${backlogSeconds.toFixed(1)} s`}`);
    record('neighbour-ticket-p95', p95, { count: toNeighbourTicket.length, of: NEIGHBOUR_SINGLE, backlog: NEIGHBOUR_BACKLOG, backlogDoneBefore });
    record('neighbour-delay-p50', p50 - percentile(toTicket, 50), { backlog: NEIGHBOUR_BACKLOG });
    watchNeighbour = false;
  }

  /** The channel's response delay, min = max = `seconds`, through the admin API; the services learn it from the KV bucket. */
  async function setResponseDelay(seconds) {
    const { status, body } = await stack.api('channel-config', 'PATCH', `/v1/projects/${PROJECT}/channels/email`, {
      responseDelay: { minSeconds: seconds, maxSeconds: seconds },
    });
    if (status !== 200) throw new Error(`PATCH responseDelay answered ${status}: ${JSON.stringify(body)}`);
    await sleep(1_000);
  }

  /** Appends `size` mails to a side folder; `move()` puts them into INBOX at once (one MOVE) and returns when it did. */
  async function stage(size, label) {
    const client = new ImapFlow(imapOptions);
    await client.connect();
    const staging = `Staging-${label}`;
    await client.mailboxCreate(staging);
    await client.mailboxOpen(staging);
    for (let n = 1; n <= size; n++) await client.append(staging, mail(n, label));
    return {
      move: async () => {
        const moved = performance.now();
        const result = await client.messageMove('1:*', 'INBOX');
        const arrived = performance.now();
        await client.logout();
        console.log(`[${database}] ${label} of ${size} mails: one MOVE into INBOX took ${(arrived - moved).toFixed(0)} ms`);
        return { arrived, uids: [...result.uidMap.values()].sort((a, b) => a - b) };
      },
    };
  }

  /** mail-ingest's count of mails published as mail.received (its Prometheus counter, all mailboxes). */
  async function importedSoFar() {
    const response = await fetch(`${stack.services.url('mail-ingest')}/metrics`);
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('ensoras_mail_ingest_mails_imported_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  /** When mail-ingest had published `count` more mails than `before`: the intake half of the burst, apart from ticketing. */
  async function importedAt(before, count, timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if ((await importedSoFar()) >= before + count) return performance.now();
      await sleep(250);
    }
    return null;
  }

  async function burst(size, label) {
    const { move } = await stage(size, label);
    const importedBefore = await importedSoFar();
    const cpuSamples = sampleMachineCpu();
    const byProcess = processCpuWindow();
    const { arrived, uids } = await move();
    const published = importedAt(importedBefore, size, BURST_TIMEOUT_MS);
    const subjects = Array.from({ length: size }, (_, index) => `${label} question ${index + 1}`);
    const last = (times) => (times.includes(undefined) ? null : Math.max(...times));
    const ticketsAt = last(await seenTimes(ticketSeen, subjects, BURST_TIMEOUT_MS));
    const spentByProcess = byProcess.end();
    const repliesAt = last(await seenTimes(replySeen, subjects, Math.max(0, arrived + BURST_TIMEOUT_MS - performance.now())));
    const rate = (at) => (at === null ? null : size / ((at - arrived) / 1000));
    const seconds = (at) => (at === null ? `not within ${BURST_TIMEOUT_MS / 1000} s` : `after ${((at - arrived) / 1000).toFixed(1)} s`);
    const publishedAt = await published;
    console.log(`  all published as mail.received by mail-ingest ${seconds(publishedAt)}: ${rate(publishedAt)?.toFixed(1) ?? 'n/a'} mails/s`);
    console.log(`  all tickets in the inbox API ${seconds(ticketsAt)}: ${rate(ticketsAt)?.toFixed(1) ?? 'n/a'} mails/s`);
    console.log(`  all AI replies at the SMTP server ${seconds(repliesAt)}: ${rate(repliesAt)?.toFixed(1) ?? 'n/a'} mails/s`);
    cpuSamples.stop();
    // What the machine spent from the MOVE to the last ticket (answering the first mails included, as in production),
    // and the rate that cost allows on all its cores: the ceiling for mail → ticket as the services work today.
    let cpu = null;
    if (ticketsAt !== null) {
      const busy = cpuSamples.at(ticketsAt) - cpuSamples.at(arrived);
      const cores = cpus().length;
      const busyShare = busy / (cores * ((ticketsAt - arrived) / 1000));
      cpu = { msPerMail: (busy * 1000) / size, busyShare, ceiling: (cores * 1000) / ((busy * 1000) / size) };
      console.log(
        `  CPU of the whole machine from the MOVE to the last ticket: ${cpu.msPerMail.toFixed(2)} ms per mail, ${(busyShare * 100).toFixed(0)} % of ${cores} cores busy; ceiling at this cost ${cpu.ceiling.toFixed(0)} mails/s`,
      );
      const perMail = (seconds) => ((seconds * 1000) / size).toFixed(2);
      const shares = spentByProcess.map(([group, spent]) => `${group} ${perMail(spent.seconds)} (main thread ${perMail(spent.mainSeconds)})`);
      console.log(`  … by process, ms per mail: ${shares.join(', ')}`);
    }
    return { uids, ticketRate: rate(ticketsAt), replyRate: rate(repliesAt), publishedRate: rate(publishedAt), cpu };
  }

  async function fetchAndParse(uids) {
    const client = new ImapFlow(imapOptions);
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    const started = performance.now();
    let parsed = 0;
    // source: true is BODY.PEEK[]: nothing is marked \Seen.
    for await (const message of client.fetch(`${uids[0]}:${uids.at(-1)}`, { uid: true, source: true }, { uid: true })) {
      await simpleParser(message.source);
      parsed++;
    }
    const seconds = (performance.now() - started) / 1000;
    await client.logout();
    if (parsed !== uids.length) throw new Error(`raw fetch saw ${parsed} of ${uids.length} mails`);
    return parsed / seconds;
  }
} finally {
  observing = false;
  await observer;
  await stack.stop();
}
