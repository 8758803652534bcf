// Mailboxes shared by mail-ingest replicas (issue #8: "With 3 replicas the mailboxes spread evenly (±10 %); a
// SIGKILLed replica's mailboxes are watched again by the others within 30 s; a replica that joins takes its share;
// no mail is imported twice during any of it"). BENCH_REPLICA_MAILBOXES projects (300 by default), each its own IMAP
// user on one Dovecot (the mailboxes bench's limits), BENCH_REPLICAS built mail-ingest processes (3) on one PostgreSQL
// database and one nats-server, as startServiceProcess spawns them (SERVICE_NODE_ARGS reach them too). In this order:
//   1. spread: the channel snapshots written into `channel-settings`, then every replica's GET /v1/mailboxes polled
//      (every 250 ms) until every mailbox is watched by exactly one replica and connected (state idle, or importing
//      the mail that just came) and the counts have held still for 3 s; the counts, and the largest deviation from an
//      even share (M / R) in % (target ±10 %);
//   2. kill: one replica SIGKILLed (no goodbye: its leases expire, 15 s TTL); seconds until every mailbox it watched is
//      watched and connected by a survivor (target < 30 s), and until all their leases were taken (listed by a
//      survivor); then the survivors' spread;
//   3. join: a new replica started; seconds until it holds its share (floor(M / R)) with the spread within ±10 %, and
//      until the counts settle;
//   4. mail all along: from the end of 1 to the end of 3, one mail every 1 / BENCH_MAIL_RATE s (5/s) into a random
//      mailbox (doveadm save); at the end every one must be on the MAIL stream as mail.received exactly once: none
//      missing, none as two distinct events (two envelope ids for one Message-ID). A re-publish of the same event id
//      within JetStream's duplicate window never reaches the stream; one after it would show as a repeat, counted
//      apart. Delivered → mail.received p50/p95/max, in steady state and for the mail delivered from the kill until
//      the join settled.
// Figures go to stdout, and as JSON lines to $BENCH_RESULTS when set (run.mjs turns them into its table).
import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServiceProcess } from '@ensoras/testing';
import { cleanupRegistry, followMailReceived, mailboxUsers, manySessionsConfig, percentile, putChannels, raiseInotify, seconds, sleep, startMailboxServers } from './many-mailboxes.mjs';

const database = 'postgres';
const MAILBOXES = Number(process.env.BENCH_REPLICA_MAILBOXES ?? 300);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const MAIL_RATE = Number(process.env.BENCH_MAIL_RATE ?? 5);
const SETTLE_TIMEOUT_MS = Number(process.env.BENCH_SETTLE_TIMEOUT_S ?? 180) * 1000;
/** Mail before the kill, so the steady-state latency has something to say. */
const STEADY_MS = Number(process.env.BENCH_STEADY_S ?? 10) * 1000;
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const SECRETS_KEY = randomBytes(32).toString('base64');

const record = (figure, value, extra = {}) => {
  const line = { database, figure, value, mailboxes: MAILBOXES, replicas: REPLICAS, ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};
const projectOf = (i) => `rep${String(i).padStart(4, '0')}`;
let mailNumber = 0;
const mail = (project) => {
  const n = ++mailNumber;
  const messageId = `<replicas-${n}-${randomBytes(4).toString('hex')}@bench.test>`;
  const raw = [
    `From: Customer ${n} <customer${n}@bench.test>`,
    `To: support@${project}.test`,
    `Subject: replicas question ${n}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, my order ${n} has not arrived yet.`,
    '',
  ].join('\r\n');
  return { raw, messageId };
};

const { cleanups, cleanUp } = cleanupRegistry();

// ---- the run ------------------------------------------------------------------------------------------------------
const started = performance.now();
console.log(`replicas bench: ${MAILBOXES} mailboxes, ${REPLICAS} mail-ingest replicas, PostgreSQL, TLS, ${MAIL_RATE} mails/s`);
const replicas = [];
try {
  raiseInotify(cleanups);
  const users = mailboxUsers(MAILBOXES, projectOf);
  // Hand-overs open a mailbox's new session while the old one closes: room for twice the mailboxes.
  const { testDatabase, dovecot, dataDir, nc, nats } = await startMailboxServers({ name: 'bench-replicas', users, extraConfig: manySessionsConfig(MAILBOXES * 2 + 100), cleanups });
  // Every mail.received from the stream's start: Message-ID → the envelope ids seen and when the first arrived.
  const received = new Map();
  await followMailReceived(nc, cleanups, (envelope) => {
    const messageId = envelope.payload?.messageId;
    const seen = received.get(messageId) ?? { at: performance.now(), ids: [] };
    seen.ids.push(envelope.id);
    received.set(messageId, seen);
  });

  const environment = {
    NATS_URL: nats.url,
    DATABASE_URL: testDatabase.url,
    DATA_DIR: dataDir,
    SECRETS_KEY,
    ADMIN_TOKEN,
    // BENCH_REPLICA_LOG_LEVEL=log shows every take and hand-over; BENCH_REPLICA_LOGS=<dir> keeps each replica's log.
    LOG_LEVEL: process.env.BENCH_REPLICA_LOG_LEVEL ?? 'warn',
  };
  const startReplica = async () => {
    const service = await startServiceProcess('mail-ingest', environment);
    const replica = { name: `r${replicas.length + 1}`, process: service, killed: false };
    replicas.push(replica);
    cleanups.push(() => service.stop());
    return replica;
  };
  const whenHealthy = async (replica) => {
    const by = performance.now() + 90_000;
    for (;;) {
      if (replica.process.exitCode() !== null) throw new Error(`${replica.name} exited with ${replica.process.exitCode()}:\n${replica.process.logs().slice(-3000)}`);
      if ((await fetch(`${replica.process.url}/health`).catch(() => null))?.ok) return;
      if (performance.now() > by) throw new Error(`${replica.name} not healthy after 90 s`);
      await sleep(250);
    }
  };
  const listing = async (replica) => {
    const response = await fetch(`${replica.process.url}/v1/mailboxes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).catch(() => null);
    if (!response?.ok) return null;
    return response.json();
  };
  /**
   * One poll of every live replica: who watches what, and which mailboxes are connected (in IDLE, or importing the
   * mail that just came: with mail arriving all along, some always are).
   */
  const poll = async () => {
    const live = replicas.filter((replica) => !replica.killed);
    const lists = await Promise.all(live.map(listing));
    const byReplica = new Map();
    const owners = new Map();
    const connected = new Set();
    live.forEach((replica, index) => {
      const mailboxes = lists[index]?.mailboxes ?? [];
      byReplica.set(replica.name, mailboxes.map((mailbox) => mailbox.projectId));
      for (const mailbox of mailboxes) {
        owners.set(mailbox.projectId, [...(owners.get(mailbox.projectId) ?? []), replica.name]);
        if (mailbox.state === 'idle' || mailbox.state === 'importing') connected.add(mailbox.projectId);
      }
    });
    const twice = [...owners.values()].filter((names) => names.length > 1).length;
    return { byReplica, owners, connected, idle: connected.size, twice, counts: live.map((replica) => byReplica.get(replica.name).length) };
  };
  const deviation = (counts) => {
    const even = MAILBOXES / counts.length;
    return Math.max(...counts.map((count) => Math.abs(count - even) / even)) * 100;
  };
  let listedTwice = 0;
  /** Polls until `done(state)`, or throws after SETTLE_TIMEOUT_MS; returns the state and when it was reached. */
  const until = async (label, done) => {
    const from = performance.now();
    let lastPrinted = from;
    for (;;) {
      const state = await poll();
      listedTwice = Math.max(listedTwice, state.twice);
      if (done(state)) return { state, at: performance.now() };
      if (performance.now() - lastPrinted > 10_000) {
        console.log(`  … ${label} ${seconds(performance.now() - from)}: counts ${state.counts.join(' / ')}, connected ${state.idle}/${MAILBOXES}`);
        lastPrinted = performance.now();
      }
      if (performance.now() - from > SETTLE_TIMEOUT_MS) throw new Error(`${label}: not reached within ${seconds(SETTLE_TIMEOUT_MS)} (counts ${state.counts.join(' / ')}, connected ${state.idle})`);
      await sleep(250);
    }
  };
  const allWatchedOnce = (state) => state.owners.size === MAILBOXES && state.twice === 0 && state.connected.size === MAILBOXES;
  /** All watched once, and the counts unchanged for `stableMs`. */
  const settled = (stableMs) => {
    let since = null;
    let last = '';
    return (state) => {
      const key = state.counts.join('/');
      if (!allWatchedOnce(state)) {
        since = null;
        return false;
      }
      if (key !== last || since === null) {
        last = key;
        since = performance.now();
      }
      return performance.now() - since >= stableMs;
    };
  };

  // 1. Spread.
  for (let i = 0; i < REPLICAS; i++) await startReplica();
  await Promise.all(replicas.map(whenHealthy));
  console.log(`${REPLICAS} replicas healthy after ${seconds(performance.now() - started)}`);
  const watchStarted = performance.now();
  await putChannels(nc, { users, projectOf, secretsKey: SECRETS_KEY, host: dovecot.host, port: dovecot.imapsPort, encryption: 'ssl' });
  const spread = await until('spread', settled(3_000));
  const spreadPercent = deviation(spread.state.counts);
  console.log(
    `spread: ${spread.state.counts.join(' / ')} mailboxes (even share ${(MAILBOXES / REPLICAS).toFixed(1)}), largest deviation ${spreadPercent.toFixed(1)} %  target ±10 %; settled ${seconds(spread.at - watchStarted - 3_000)} after the snapshots`,
  );
  record('replicas-spread-percent', spreadPercent, { counts: spread.state.counts });

  // 4. Mail all along, from here to the end of the join.
  const delivered = [];
  let phase = 'steady';
  let delivering = true;
  const deliveries = (async () => {
    const interval = 1000 / MAIL_RATE;
    let next = performance.now();
    const inFlight = new Set();
    while (delivering) {
      const i = Math.floor(Math.random() * MAILBOXES);
      const { raw, messageId } = mail(projectOf(i));
      const phaseNow = phase;
      const job = dovecot.deliver(users[i].username, raw).then(
        () => delivered.push({ messageId, at: performance.now(), phase: phaseNow }),
        (error) => console.log(`delivery failed: ${error.message}`),
      );
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      next += interval;
      await sleep(Math.max(0, next - performance.now()));
    }
    await Promise.all(inFlight);
  })();
  await sleep(STEADY_MS);

  // 2. Kill. Mail delivered from 2 s before it on counts as the kill's (some of it lands in the victim's mailboxes
  // and waits for the take-over).
  phase = 'kill/join';
  await sleep(2_000);
  const victim = replicas[0];
  const before = await poll();
  const orphans = before.byReplica.get(victim.name);
  const killedAt = performance.now();
  await victim.process.kill('SIGKILL');
  victim.killed = true;
  console.log(`SIGKILLed ${victim.name} watching ${orphans.length} mailboxes`);
  // Listed by a survivor: its lease taken (the watcher starts connecting then); connected: in IDLE (or importing).
  let leasesTakenAt = null;
  const takeover = await until('take-over', (state) => {
    if (leasesTakenAt === null && orphans.every((projectId) => state.owners.get(projectId)?.length === 1)) leasesTakenAt = performance.now();
    return leasesTakenAt !== null && orphans.every((projectId) => state.connected.has(projectId)) && state.twice === 0;
  });
  const takeoverSeconds = (takeover.at - killedAt) / 1000;
  const leasesSeconds = (leasesTakenAt - killedAt) / 1000;
  console.log(
    `its ${orphans.length} mailboxes watched (connected, in IDLE) by the survivors ${takeoverSeconds.toFixed(1)} s after the SIGKILL  target < 30 s ` +
      `(their leases taken after ${leasesSeconds.toFixed(1)} s: expiry 15 s after the last renewal; then connecting)`,
  );
  record('replicas-takeover-seconds', takeoverSeconds, { orphans: orphans.length, leasesSeconds });
  const afterKill = await until('survivors settle', settled(3_000));
  const survivorsPercent = deviation(afterKill.state.counts);
  console.log(`survivors: ${afterKill.state.counts.join(' / ')}, largest deviation ${survivorsPercent.toFixed(1)} %`);
  record('replicas-spread-after-kill-percent', survivorsPercent, { counts: afterKill.state.counts });

  // 3. Join.
  const joinedAt = performance.now();
  const newcomer = await startReplica();
  await whenHealthy(newcomer);
  const healthyAfter = (performance.now() - joinedAt) / 1000;
  const live = () => replicas.filter((replica) => !replica.killed).length;
  const share = Math.floor(MAILBOXES / live());
  // Its share within ±10 %, as every other replica's (the counts include it).
  const joined = await until('join', (state) => allWatchedOnce(state) && deviation(state.counts) <= 10);
  const joinSeconds = (joined.at - joinedAt) / 1000;
  console.log(
    `${newcomer.name} started; healthy after ${healthyAfter.toFixed(1)} s, holds ${joined.state.byReplica.get(newcomer.name).length} (share ${share}) with the spread within ±10 % ${joinSeconds.toFixed(1)} s after its start`,
  );
  record('replicas-join-seconds', joinSeconds, { healthySeconds: healthyAfter });
  const afterJoin = await until('join settles', settled(3_000));
  const joinPercent = deviation(afterJoin.state.counts);
  console.log(`after the join: ${afterJoin.state.counts.join(' / ')}, largest deviation ${joinPercent.toFixed(1)} %, settled ${seconds(afterJoin.at - joinedAt - 3_000)} after its start`);
  record('replicas-spread-after-join-percent', joinPercent, { counts: afterJoin.state.counts });

  // The end: every delivered mail on the stream once.
  delivering = false;
  await deliveries;
  const drainBy = performance.now() + 60_000;
  while (delivered.some(({ messageId }) => !received.has(messageId)) && performance.now() < drainBy) await sleep(100);
  await sleep(2_000); // a late second event would arrive about now
  const missing = delivered.filter(({ messageId }) => !received.has(messageId));
  const twice = delivered.filter(({ messageId }) => new Set(received.get(messageId)?.ids ?? []).size > 1);
  const repeats = delivered.filter(({ messageId }) => (received.get(messageId)?.ids.length ?? 0) > new Set(received.get(messageId)?.ids ?? []).size);
  console.log(
    `${delivered.length} mails delivered at ${MAIL_RATE}/s: ${delivered.length - missing.length} on the stream as mail.received, ${missing.length} missing, ${twice.length} as two distinct events  target 0 and 0` +
      (repeats.length ? ` (${repeats.length} repeated with the same event id)` : ''),
  );
  record('replicas-mails-missing', missing.length, { delivered: delivered.length });
  record('replicas-mails-twice', twice.length, { delivered: delivered.length, repeats: repeats.length });
  for (const label of ['steady', 'kill/join']) {
    const latencies = delivered.filter((entry) => entry.phase === label && received.has(entry.messageId)).map((entry) => received.get(entry.messageId).at - entry.at);
    if (latencies.length === 0) continue;
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    console.log(`  ${label}: ${latencies.length} mails delivered → mail.received p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
    record(label === 'steady' ? 'replicas-received-p95-steady' : 'replicas-received-p95-kill-join', p95, { p50, count: latencies.length });
  }
  if (listedTwice > 0) console.log(`(a mailbox was listed by two replicas in one poll: up to ${listedTwice} at once; polls of the replicas are not simultaneous)`);

  // Leases lost or given up, as the replicas logged them (warn level).
  for (const replica of replicas) {
    const lines = replica.process.logs().split('\n');
    const lost = lines.filter((line) => line.includes('Lost the lease')).length;
    // JSON lines (`"level":"warn"`, the message in `msg`) since the services log with pino.
    const warnings = lines.filter((line) => /"level":"(warn|error)"/.test(line));
    const kinds = [...new Set(warnings.map((line) => line.replace(/^.*?"level":"(warn|error)".*?"msg":"/, (_, level) => `${level.toUpperCase()} `).replace(/rep\d+/g, '<mailbox>').replace(/\d+/g, 'N').slice(0, 120)))];
    console.log(`  ${replica.name}${replica.killed ? ' (killed)' : ''}: ${warnings.length} warnings, ${lost} leases lost${kinds.length ? `: ${kinds.slice(0, 4).join(' | ')}` : ''}`);
    if (process.env.BENCH_REPLICA_LOGS) writeFileSync(join(process.env.BENCH_REPLICA_LOGS, `${replica.name}.log`), replica.process.logs());
  }
} catch (error) {
  process.exitCode = 1;
  console.error(error);
  for (const replica of replicas) console.error(`--- ${replica.name} (last lines) ---\n${replica.process.logs().split('\n').slice(-15).join('\n')}`);
} finally {
  await cleanUp();
  console.log(`replicas bench done in ${seconds(performance.now() - started)}`);
}
