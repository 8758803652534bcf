// One mail-ingest replica watching many mailboxes (issue #8: 1,000 per replica): BENCH_MAILBOXES projects (1,000 by
// default), each its own IMAP user on one Dovecot, every mailbox in IDLE. On PostgreSQL, with the built
// apps/mail-ingest/dist/main.js started alone as a process (a private nats-server, a fresh database). In this order:
//   1. watch: the channel snapshots written into the `channel-settings` KV bucket (as channel-config would), then
//      the time until GET /v1/mailboxes shows all of them watched and idle;
//   2. idle: 60 s without mail (BENCH_IDLE_S): the process's RSS (VmRSS, /proc/<pid>/status) at the end and its CPU
//      time (utime + stime of /proc/<pid>/stat) over the wall time, as % of one core;
//   3. latency: BENCH_SINGLE (30) single mails, each into a random mailbox 0.5–1.5 s apart (doveadm save), delivered →
//      mail.received seen on the MAIL stream, p50/p95/max; the first of them apart too (it meets whatever the idle
//      minute let go of, e.g. a parse worker started on demand).
// Dovecot is the tests' (startDovecot) with higher process and client limits appended (extraConfig), since the test
// defaults (default_process_limit 100, one login process per TLS connection) stop at about 100 concurrent IMAP
// sessions. BENCH_DOVECOT=stock leaves them out, to see that limit.
// IDLE is push only while each imap process gets an inotify instance (all run as uid mail): the script raises
// fs.inotify.max_user_instances / max_user_watches when it runs as root, and puts them back at the end.
// Figures go to stdout, and as JSON lines to $BENCH_RESULTS when set (run.mjs turns them into its table).
// Where the time and memory go: SERVICE_NODE_ARGS are flags for mail-ingest's Node (as startServices takes them), e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof` (the idle window is printed in the profile's clock, to cut it out) or
// `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp/heap` (the signal is sent at the end of the idle minute).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '@ensoras/testing';
import { cleanupRegistry, followMailReceived, mailboxUsers, manySessionsConfig, percentile, putChannels, raiseInotify, seconds, sleep, startMailboxServers } from './many-mailboxes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const database = 'postgres';
const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 1000);
const IDLE_MS = Number(process.env.BENCH_IDLE_S ?? 60) * 1000;
const SINGLE = Number(process.env.BENCH_SINGLE ?? 30);
const WATCH_TIMEOUT_MS = Number(process.env.BENCH_WATCH_TIMEOUT_S ?? 600) * 1000;
// 'ssl' (implicit TLS, as customers' servers on 993) or 'tcp' (plain port; imapflow upgrades with STARTTLS).
const ENCRYPTION = process.env.BENCH_ENCRYPTION ?? 'ssl';
const STOCK_DOVECOT = process.env.BENCH_DOVECOT === 'stock';
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const SECRETS_KEY = randomBytes(32).toString('base64');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const record = (figure, value, extra = {}) => {
  const line = { database, figure, value, mailboxes: MAILBOXES, ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};
const projectOf = (i) => `mbx${String(i).padStart(4, '0')}`;
const mail = (n, project) =>
  [
    `From: Customer ${n} <customer${n}@bench.test>`,
    `To: support@${project}.test`,
    `Subject: mailboxes question ${n}`,
    `Message-ID: <mailboxes-${n}-${randomBytes(4).toString('hex')}@bench.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, my order ${n} has not arrived yet. The tracking page has shown the same status for a week.`,
    '',
  ].join('\r\n');

const { cleanups, cleanUp } = cleanupRegistry();

// ---- /proc figures -------------------------------------------------------------------------------------------------
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here.
  return Number(fields[11]) + Number(fields[12]);
}
function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
/** Where the RSS is: anonymous memory (heap, buffers), mapped files (code), shared memory; and the process's threads. */
function memoryBreakdown(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (key) => status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1];
  const mb = (key) => `${(Number(field(key) ?? NaN) / 1024).toFixed(0)} MB`;
  return `anonymous ${mb('RssAnon')}, files ${mb('RssFile')}, shared ${mb('RssShmem')}, ${field('Threads')} threads`;
}
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}
/** The master and its children (Dovecot's processes are all direct children of the master), by name. */
function dovecotProcesses(masterPid) {
  const byName = {};
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== masterPid && parentOf(pid) !== masterPid) continue;
    let name = 'dovecot';
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    byName[name] = (byName[name] ?? 0) + 1;
    total++;
  }
  return { total, byName };
}

// ---- the run ------------------------------------------------------------------------------------------------------
const started = performance.now();
console.log(`mailboxes bench: ${MAILBOXES} mailboxes, one mail-ingest replica, PostgreSQL, ${ENCRYPTION}, ${STOCK_DOVECOT ? 'stock test Dovecot config' : 'Dovecot with raised limits'}`);
let ingest;
try {
  const inotifyInstances = raiseInotify(cleanups);
  if (inotifyInstances < MAILBOXES + 50) {
    console.log(`warning: max_user_instances ${inotifyInstances} < ${MAILBOXES} IDLE sessions: the rest fall back to Dovecot's 1 s idle poll`);
  }
  const users = mailboxUsers(MAILBOXES, projectOf);

  const { testDatabase, dovecot, dataDir, nc, nats } = await startMailboxServers({ name: 'bench-mailboxes', users, extraConfig: STOCK_DOVECOT ? undefined : manySessionsConfig(users.length + 100), cleanups });
  // Every mail.received from the stream's start, with the time it reached this process.
  const received = new Map();
  await followMailReceived(nc, cleanups, (envelope) => received.set(envelope.payload?.messageId, performance.now()));

  // mail-ingest alone, as startServices spawns it (apps/mail-ingest/dist/main.js).
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ingestLog = [];
  const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  ingest = spawn(process.execPath, [...nodeArgs, join(root, 'apps', 'mail-ingest', 'dist', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      NATS_URL: nats.url,
      DATABASE_URL: testDatabase.url,
      DATA_DIR: dataDir,
      SECRETS_KEY,
      ADMIN_TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ingest.stdout.on('data', (chunk) => ingestLog.push(chunk.toString()));
  ingest.stderr.on('data', (chunk) => ingestLog.push(chunk.toString()));
  let ingestExit = null;
  const ingestGone = new Promise((resolve) => ingest.once('exit', (code, signal) => ((ingestExit = code ?? signal), resolve())));
  cleanups.push(async () => {
    if (ingestExit !== null) return;
    const killer = setTimeout(() => ingest.kill('SIGKILL'), 10_000);
    ingest.kill('SIGTERM');
    await ingestGone;
    clearTimeout(killer);
  });
  const tail = () => ingestLog.join('').split('\n').slice(-30).join('\n');
  // Warnings by phase (the kind of each: its text without mailbox ids and numbers), to see when leases were lost.
  const logLines = () => ingestLog.join('').split('\n').filter(Boolean);
  const phaseMarks = [];
  const markPhase = (phase) => phaseMarks.push({ phase, at: logLines().length });
  const healthyBy = performance.now() + 90_000;
  for (;;) {
    if (ingestExit !== null) throw new Error(`mail-ingest exited with ${ingestExit}:\n${tail()}`);
    if ((await fetch(`${url}/health`).catch(() => null))?.ok) break;
    if (performance.now() > healthyBy) throw new Error(`mail-ingest not healthy after 90 s:\n${tail()}`);
    await sleep(250);
  }
  console.log(`mail-ingest pid ${ingest.pid} healthy after ${seconds(performance.now() - started)}`);

  markPhase('start-up');
  // 1. The snapshots, as IngestHarness.putChannel writes them: the password sealed for its context.
  const watchStarted = performance.now();
  const imapPort = ENCRYPTION === 'ssl' ? dovecot.imapsPort : dovecot.imapPort;
  await putChannels(nc, { users, projectOf, secretsKey: SECRETS_KEY, host: dovecot.host, port: imapPort, encryption: ENCRYPTION });
  console.log(`${MAILBOXES} channel snapshots written in ${seconds(performance.now() - watchStarted)}`);

  const mailboxes = async () => {
    const response = await fetch(`${url}/v1/mailboxes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!response.ok) throw new Error(`GET /v1/mailboxes answered ${response.status}`);
    return response.json();
  };
  const summary = (body) => {
    const states = {};
    for (const mailbox of body.mailboxes) states[`${mailbox.state}${mailbox.mode ? `/${mailbox.mode}` : ''}`] = (states[`${mailbox.state}${mailbox.mode ? `/${mailbox.mode}` : ''}`] ?? 0) + 1;
    return `watched ${body.watched}, failing ${body.failing}, ${JSON.stringify(states)}`;
  };
  let last;
  let lastPrinted = 0;
  let allIdle = false;
  for (;;) {
    if (ingestExit !== null) throw new Error(`mail-ingest exited with ${ingestExit}:\n${tail()}`);
    last = await mailboxes();
    if (last.watched === MAILBOXES && last.mailboxes.every((mailbox) => mailbox.state === 'idle' && mailbox.mode === 'idle')) {
      allIdle = true;
      break;
    }
    if (performance.now() - lastPrinted > 10_000) {
      console.log(`  … ${seconds(performance.now() - watchStarted)}: ${summary(last)}`);
      lastPrinted = performance.now();
    }
    if (performance.now() - watchStarted > WATCH_TIMEOUT_MS) break;
    await sleep(250);
  }
  const watchMs = performance.now() - watchStarted;
  if (allIdle) {
    console.log(`all ${MAILBOXES} mailboxes watched and idle (IDLE) ${seconds(watchMs)} after the first snapshot was written`);
    record('mailboxes-watch-seconds', watchMs / 1000);
  } else {
    console.log(`NOT all mailboxes idle after ${seconds(watchMs)}: ${summary(last)}`);
    const errors = {};
    for (const mailbox of last.mailboxes) if (mailbox.lastError) errors[mailbox.lastError] = (errors[mailbox.lastError] ?? 0) + 1;
    console.log(`  errors: ${JSON.stringify(errors)}`);
  }
  const processes = dovecotProcesses(dovecot.pid);
  if (processes) console.log(`Dovecot processes: ${processes.total} ${JSON.stringify(processes.byName)}`);

  markPhase('watch');
  // 2. Idle: no mail for IDLE_MS.
  await sleep(2_000);
  const memoryBefore = memoryMb(ingest.pid);
  const ticksBefore = cpuTicks(ingest.pid);
  const idleStarted = performance.now();
  // The profile's timestamps are the monotonic clock in µs, as process.hrtime here.
  const idleStartedMicros = process.hrtime.bigint() / 1000n;
  let rssMax = memoryBefore.rss;
  while (performance.now() - idleStarted < IDLE_MS) {
    await sleep(1_000);
    rssMax = Math.max(rssMax, memoryMb(ingest.pid).rss);
  }
  const cpuPercent = ((cpuTicks(ingest.pid) - ticksBefore) / CLOCK_TICKS / ((performance.now() - idleStarted) / 1000)) * 100;
  const memory = memoryMb(ingest.pid);
  if (nodeArgs.some((arg) => arg.startsWith('--cpu-prof'))) {
    console.log(`idle window in the CPU profile's clock: ${idleStartedMicros}–${process.hrtime.bigint() / 1000n} µs`);
  }
  const heapSignal = nodeArgs.find((arg) => arg.startsWith('--heapsnapshot-signal='))?.split('=')[1];
  console.log(`memory of the replica: ${memoryBreakdown(ingest.pid)}`);
  if (heapSignal) {
    ingest.kill(heapSignal);
    console.log(`sent ${heapSignal} for a heap snapshot`);
    await sleep(15_000);
  }
  console.log(`RSS after ${seconds(IDLE_MS)} idle: ${memory.rss.toFixed(0)} MB (at idle start ${memoryBefore.rss.toFixed(0)} MB, max ${rssMax.toFixed(0)} MB, peak VmHWM ${memory.peak.toFixed(0)} MB)  target < 250 MB`);
  console.log(`idle CPU over ${seconds(IDLE_MS)}: ${cpuPercent.toFixed(2)} % of one core  target < 3 %`);
  record('mailboxes-rss-mb', memory.rss, { peakMb: memory.peak, allIdle });
  record('mailboxes-idle-cpu-percent', cpuPercent, { idleSeconds: IDLE_MS / 1000, allIdle });
  if (!allIdle) console.log(`(${summary(await mailboxes())})`);

  markPhase('idle');
  // 3. Single mails into random mailboxes, delivered → mail.received on the stream.
  const latencies = [];
  let firstLatency;
  let missing = 0;
  const pending = [];
  for (let n = 0; n < SINGLE; n++) {
    const i = Math.floor(Math.random() * MAILBOXES);
    const raw = mail(n, projectOf(i));
    const messageId = raw.match(/^Message-ID: (.+)$/m)[1].trim();
    await dovecot.deliver(users[i].username, raw);
    const deliveredAt = performance.now();
    pending.push(
      (async () => {
        while (!received.has(messageId) && performance.now() - deliveredAt < 30_000) await sleep(5);
        if (received.has(messageId)) {
          latencies.push(received.get(messageId) - deliveredAt);
          if (n === 0) firstLatency = received.get(messageId) - deliveredAt;
        }
        else missing++;
      })(),
    );
    await sleep(500 + Math.random() * 1000);
  }
  await Promise.all(pending);
  // The first mail after the idle minute may wait for what idling gave up (a parse worker started on demand).
  if (firstLatency !== undefined) {
    console.log(`first mail after the idle minute: delivered → mail.received ${firstLatency.toFixed(0)} ms`);
    record('mailboxes-first-received-ms', firstLatency);
  }
  if (latencies.length) {
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const max = Math.max(...latencies);
    console.log(`single mails (${latencies.length}/${SINGLE} into random mailboxes, 0.5–1.5 s apart) delivered → mail.received: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${max.toFixed(0)} ms  target p95 < 700 ms`);
    record('mailboxes-received-p50', p50);
    record('mailboxes-received-p95', p95, { max, count: latencies.length, missing });
  }
  if (missing) console.log(`${missing} of ${SINGLE} mails not seen as mail.received within 30 s`);

  // IDLE push or poll: Dovecot warns once per imap process that found no inotify instance (it polls every 1 s then).
  if (dovecot.logPath) {
    const log = readFileSync(dovecot.logPath, 'utf8');
    const inotifyWarnings = (log.match(/Inotify instance limit/gi) ?? []).length;
    const limitWarnings = [...new Set(log.match(/[^\n]*(process_limit|client_limit)[^\n]*reached[^\n]*/g) ?? [])].map((line) => line.replace(/^\S+ \S+ /, ''));
    console.log(`Dovecot IDLE: ${inotifyWarnings === 0 ? 'push (inotify; no "Inotify instance limit" warning in its log)' : `${inotifyWarnings} sessions without inotify (polling every 1 s)`}`);
    for (const line of limitWarnings.slice(0, 5)) console.log(`Dovecot: ${line}`);
  }
  const finalProcesses = dovecotProcesses(dovecot.pid);
  if (finalProcesses) console.log(`Dovecot processes at the end: ${finalProcesses.total} ${JSON.stringify(finalProcesses.byName)}`);
  markPhase('latency');
  const warnings = logLines();
  if (warnings.length) {
    console.log(`mail-ingest logged ${warnings.length} lines at warn or above:`);
    let from = 0;
    for (const { phase, at } of phaseMarks) {
      const kinds = {};
      for (const line of warnings.slice(from, at)) {
        const kind = line.replace(/^.*?(WARN|ERROR)\s+/, '$1 ').replace(/mbx\d+/g, '<mailbox>').replace(/\d+/g, 'N').slice(0, 140);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      from = at;
      for (const [kind, count] of Object.entries(kinds)) console.log(`  ${phase}: ${count}× ${kind}`);
    }
  }
} catch (error) {
  process.exitCode = 1;
  console.error(error);
} finally {
  await cleanUp();
  console.log(`mailboxes bench done in ${seconds(performance.now() - started)}`);
}
