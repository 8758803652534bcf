#!/usr/bin/env node
// `npm run bench`: each benchmark prints its figures as it goes and records them (JSON lines in a temp file); at the
// end one table shows every figure beside its target (issue #8) and the ratio, on PostgreSQL and on the embedded
// default. None asserts a time (tests never time things). docs/benchmarks.md explains each figure.
//   BENCH_DATABASES=postgres,embedded   which stacks run the intake bench (both by default)
//   BENCH_BURST=500, BENCH_LARGE_BURST=5000, BENCH_SINGLE=20, BENCH_DUE=10, BENCH_NEIGHBOUR_BACKLOG=2000   see intake.mjs
//   BENCH_MAILBOXES=1000   mailboxes on one mail-ingest replica (mailboxes.mjs, PostgreSQL only, ~3 min); BENCH_SKIP_MAILBOXES=1 skips it
//   BENCH_REPLICA_MAILBOXES=300  mailboxes shared by 3 mail-ingest replicas, one killed, one joining (replicas.mjs,
//                          PostgreSQL only, ~2 min); BENCH_SKIP_REPLICAS=1 skips it
//   BENCH_REPLIES=1000     replies sent by mail-outbound (outbound.mjs, PostgreSQL only, ~1 min); BENCH_SKIP_OUTBOUND=1 skips it
//   startup-rss.mjs        npm start's memory at rest (with the embedded column, ~1 min; needs ports 3000–3005 free,
//                          BENCH_BASE_PORT moves them); BENCH_SKIP_STARTUP_RSS=1 skips it
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), 'bench-'));
const results = join(resultsDir, 'results.jsonl');
writeFileSync(results, '');
const databases = (process.env.BENCH_DATABASES ?? 'postgres,embedded').split(',').map((name) => name.trim());
const loadBefore = loadavg();
const started = Date.now();

const runs = [
  { bench: 'corpus-parse.mjs', args: [] },
  { bench: 'jetstream-publish.mjs', args: [] },
  // PostgreSQL only (the embedded column shows "not reached"); BENCH_MESSAGES=1000000 by default, 2–3.5 min.
  ...(process.env.BENCH_SKIP_THREADING ? [] : [{ bench: 'threading.mjs', args: [] }]),
  ...(process.env.BENCH_SKIP_MAILBOXES ? [] : [{ bench: 'mailboxes.mjs', args: [] }]),
  ...(process.env.BENCH_SKIP_REPLICAS ? [] : [{ bench: 'replicas.mjs', args: [] }]),
  // PostgreSQL only, ~1 min.
  ...(process.env.BENCH_SKIP_OUTBOUND ? [] : [{ bench: 'outbound.mjs', args: [] }]),
  // What `npm start` runs, the embedded column's setup: ~1 min.
  ...(process.env.BENCH_SKIP_STARTUP_RSS || !databases.includes('embedded') ? [] : [{ bench: 'startup-rss.mjs', args: [] }]),
  ...databases.map((database) => ({ bench: 'intake.mjs', args: [`--database=${database}`] })),
];
let failed = false;
for (const { bench, args } of runs) {
  console.log(`\n## ${bench} ${args.join(' ')}`);
  const env = { ...process.env, BENCH_RESULTS: results };
  // The embedded stack is the one without DATABASE_URL; an inherited one would point the services elsewhere.
  if (args.includes('--database=embedded')) delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, bench), ...args], { stdio: 'inherit', env });
  if (result.status !== 0) failed = true;
}

const lines = readFileSync(results, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
rmSync(resultsDir, { recursive: true, force: true });
const find = (figure, database) => lines.find((line) => line.figure === figure && (database === undefined || line.database === database));

const burst = Number(process.env.BENCH_BURST ?? 500);
const large = Number(process.env.BENCH_LARGE_BURST ?? 0);
const neighbourBacklog = Number(process.env.BENCH_NEIGHBOUR_BACKLOG ?? 2000);
const mailboxes = Number(process.env.BENCH_MAILBOXES ?? 1000);
const replicaMailboxes = Number(process.env.BENCH_REPLICA_MAILBOXES ?? 300);
const replies = Number(process.env.BENCH_REPLIES ?? 1000);
const rate = (value) => `${value.toFixed(value < 100 ? 1 : 0)} mails/s`;
const millis = (value) => `${value.toFixed(0)} ms`;
const fineMillis = (value) => `${value.toFixed(2)} ms`;
const percent = (value) => `${(value * 100).toFixed(1)} %`;
const ofRaw = (suffix, atLeast) => (value, database) => {
  const raw = find(`raw${suffix}`, database)?.value;
  if (!raw) return '';
  const ratio = value / raw;
  return `${percent(ratio)} of raw${atLeast === undefined ? '' : ratio >= atLeast ? ' ✓' : ' ✗'}`;
};
/** CPU per mail against the most that ≥ 50 % of raw allows on this machine's cores. */
const cpuBudget = (suffix) => (value, database) => {
  const raw = find(`raw${suffix}`, database)?.value;
  if (!raw) return '';
  const budget = (cpus().length * 1000) / (raw / 2);
  return `${(value / budget).toFixed(1)}× the ${budget.toFixed(2)} ms budget`;
};
const atLeast = (limit) => (value) => `${(value / limit).toFixed(2)}× target${value >= limit ? ' ✓' : ' ✗'}`;
const under = (limit) => (value) => `${(value / limit).toFixed(2)}× target${value < limit ? ' ✓' : ' ✗'}`;
const atMost = (limit) => (value) => `${(value / limit).toFixed(2)}× target${value <= limit ? ' ✓' : ' ✗'}`;
const none = (value) => (value === 0 ? '✓' : '✗');

// Per database: [figure, label, target, format, ratio]
const perDatabase = [
  ['raw', `Raw limit: imapflow FETCH + simpleParser, same ${burst} mails`, 'reference', rate, () => '1.00'],
  ['burst-tickets', `Burst ${burst} in one mailbox → tickets in inbox API`, '≥ 50 % of raw', rate, ofRaw('', 0.5)],
  ['burst-published', `… its first half: mail-ingest has all published as mail.received`, '– (shown vs raw)', rate, ofRaw('')],
  ['burst-replies', `Burst ${burst} → AI replies at SMTP (delay 0)`, '– (shown vs raw)', rate, ofRaw('')],
  ['burst-cpu-ms-per-mail', `… whole machine's CPU per mail, MOVE → last ticket (vs what half of raw allows)`, '– (budget)', (value) => `${value.toFixed(2)} ms`, cpuBudget('')],
  ...(large
    ? [
        ['raw-large', `Raw limit, same ${large} mails`, 'reference', rate, () => '1.00'],
        ['burst-tickets-large', `Burst ${large} → tickets`, '≥ 50 % of raw', rate, ofRaw('-large', 0.5)],
        ['burst-replies-large', `Burst ${large} → AI replies (delay 0)`, '– (shown vs raw)', rate, ofRaw('-large')],
      ]
    : []),
  ['single-ticket-p50', 'Single mails 0.5–3 s apart → ticket, p50', '–', millis, () => ''],
  ['single-ticket-p95', 'Single mails 0.5–3 s apart → ticket, p95', '< 700 ms', millis, under(700)],
  ['single-reply-p95', 'Single mails → AI reply at SMTP, p95', '–', millis, () => ''],
  ['due-precision-p95', 'Response delay 3 s: reply at SMTP − due time, p95', '≤ 1 s', millis, under(1000)],
  ['neighbour-ticket-p95', `Project B's single mails → ticket while A imports ${neighbourBacklog}, p95`, '< 700 ms', millis, under(700)],
  ['neighbour-delay-p50', `… B's p50 minus the single-mail p50 (delay by A's backlog)`, '≤ 200 ms', millis, under(200)],
  ['threading-lookup-p95', 'Threading lookup of one mail (1 M messages), p95', '< 5 ms', fineMillis, under(5)],
  ['threading-lookup-floor-p95', '… as many round trips of SELECT 1, p95 (machine floor)', '–', fineMillis, () => ''],
  ['inbox-first-page-p95', 'First inbox page, limit 25 (1 M messages), p95', '< 50 ms', fineMillis, under(50)],
  ['mailboxes-watch-seconds', `${mailboxes} mailboxes on one replica → all watched in IDLE`, '–', (value) => `${value.toFixed(1)} s`, () => ''],
  ['mailboxes-rss-mb', '… RSS of the replica after 60 s idle', '< 250 MB', (value) => `${value.toFixed(0)} MB`, under(250)],
  ['mailboxes-idle-cpu-percent', '… idle CPU over 60 s, % of one core', '< 3 %', (value) => `${value.toFixed(2)} %`, under(3)],
  ['mailboxes-first-received-ms', '… the first mail after the idle minute → mail.received', '–', millis, () => ''],
  ['mailboxes-received-p95', '… single mail into a random mailbox → mail.received, p95', '< 700 ms', millis, under(700)],
  ['replicas-spread-percent', `${replicaMailboxes} mailboxes on 3 replicas: largest deviation from an even share`, '≤ 10 %', (value) => `${value.toFixed(1)} %`, atMost(10)],
  ['replicas-takeover-seconds', '… one replica SIGKILLed → its mailboxes watched by the others', '< 30 s', (value) => `${value.toFixed(1)} s`, under(30)],
  ['replicas-join-seconds', '… a replica that joins → holds its share', '–', (value) => `${value.toFixed(1)} s`, () => ''],
  ['replicas-spread-after-join-percent', '… deviation after the join', '≤ 10 %', (value) => `${value.toFixed(1)} %`, atMost(10)],
  ['replicas-mails-missing', '… mails delivered meanwhile (5/s) never imported', '0', (value) => `${value}`, none],
  ['replicas-mails-twice', '… mails imported twice', '0', (value) => `${value}`, none],
  ['replicas-received-p95-kill-join', '… mail → mail.received from the kill to the join, p95', '–', millis, () => ''],
  ['outbound-replies', `${replies} replies of one project → SMTP server (beside a project whose server never answers)`, '≥ 200 mails/s', rate, atLeast(200)],
  ['startup-rss-mb', 'npm start: five services, console + embedded database, total RSS', '< 1 GB', (value) => `${value.toFixed(0)} MB`, under(1024)],
];
const embeddedOnly = new Set(['startup-rss-mb']);
// Without a database: one figure for both columns.
const shared = [
  ['corpus-parse', 'Corpus parse + classify (parseInboundMail)', '–', (value) => `${value.toFixed(0)} msgs/s`],
  ['jetstream-publish', 'JetStream durable publish, 32 in flight', '–', (value) => `${value.toFixed(0)} events/s`],
  ['jetstream-consume', 'JetStream durable consume + ack', '–', (value) => `${value.toFixed(0)} events/s`],
];

const columns = ['Figure', 'Target', ...databases.flatMap((database) => [database === 'postgres' ? 'PostgreSQL' : 'Embedded (npm start)', 'ratio'])];
const rows = [];
for (const [figure, label, target, format, ratio] of perDatabase) {
  rows.push([
    label,
    target,
    ...databases.flatMap((database) => {
      const value = find(figure, database)?.value;
      // Threading, mailboxes and outbound run on PostgreSQL only: the embedded column has nothing to show for them.
      if (value === undefined && database !== 'postgres' && find(figure, 'postgres')) return ['(PostgreSQL only)', ''];
      // npm start's memory is the embedded setup's alone.
      if (database === 'postgres' && embeddedOnly.has(figure)) return ['(embedded only)', ''];
      return value === undefined || value === null ? ['not reached', ''] : [format(value), ratio(value, database)];
    }),
  ]);
}
for (const [figure, label, target, format] of shared) {
  const value = find(figure)?.value;
  const shown = value === undefined ? 'failed' : format(value);
  rows.push([label, target, ...databases.flatMap(() => [shown, '(no database)'])]);
}
const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => row[index].length)));
const line = (cells) => `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n## Summary: ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, load average ${loadBefore[0].toFixed(2)} before / ${loadavg()[0].toFixed(2)} after, ${minutes} min`);
console.log(line(columns));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const row of rows) console.log(line(row));
process.exit(failed ? 1 : 0);
