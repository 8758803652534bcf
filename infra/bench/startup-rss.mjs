// Memory of `npm start` at rest: runs its launcher (infra/dev/start.mjs, the built services) with a fresh DATA_DIR,
// no DATABASE_URL and no NATS_URL, so it starts nats-server and the embedded database as a newcomer's first
// `npm start` does; waits for "ready in", then BENCH_SETTLE_S (20 s by default), and sums the memory of the launcher's
// whole process tree from /proc: the launcher, the five services, nats-server and every PostgreSQL process.
//   RSS (VmRSS): what the figure and its target (< 1 GB) are about. It counts a shared page once in every process
//   that maps it (the node binary in six processes, PostgreSQL's shared buffers in each backend), so the sum is an
//   upper bound. PSS (smaps_rollup, shares divided among the processes mapping them) is printed beside it: the
//   memory the tree really costs the machine.
// Then SIGINT (as Ctrl-C) and a check that no process of the tree is left. Services listen on BASE_PORT … +4
// (BENCH_BASE_PORT, 3001 by default: the ports must be free).
// The figure goes to stdout, and as a JSON line to $BENCH_RESULTS when set (run.mjs turns it into its table).
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SETTLE_MS = Number(process.env.BENCH_SETTLE_S ?? 20) * 1000;
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_TIMEOUT_S ?? 300) * 1000;
const STOP_TIMEOUT_MS = 60_000;
const BASE_PORT = process.env.BENCH_BASE_PORT ?? '3001';

const record = (figure, value, extra = {}) => {
  const line = { database: 'embedded', figure, value, ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (kb) => kb / 1024;

const dataDir = mkdtempSync(join(tmpdir(), 'startup-rss-'));
// mkdtemp makes it 0700; as root, PostgreSQL runs as nobody, which must pass through it (as through a checkout's .data).
chmodSync(dataDir, 0o711);
const env = { ...process.env, DATA_DIR: dataDir, BASE_PORT, LOG_LEVEL: 'warn', NO_COLOR: '1' };
for (const name of ['DATABASE_URL', 'NATS_URL', 'ADMIN_TOKEN', 'HOST']) delete env[name];
const launcher = spawn(process.execPath, [join(root, 'infra', 'dev', 'start.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
const exited = new Promise((resolve) => launcher.once('exit', (code, signal) => resolve({ code, signal })));
const output = [];
let ready = false;
let readyLine;
const readySeen = new Promise((resolve) => {
  for (const stream of [launcher.stdout, launcher.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (output.length > 200) output.shift();
      if (/^ready in \d+ s/.test(line)) {
        readyLine = line;
        ready = true;
        resolve(true);
      }
    });
  }
  void exited.then(() => resolve(false));
  setTimeout(() => resolve(false), READY_TIMEOUT_MS).unref();
});

let failed = false;
let seen = new Map();
try {
  console.log(`npm start's launcher with DATA_DIR=${dataDir}, services on ${BASE_PORT}…`);
  if (!(await readySeen)) throw new Error(`the launcher did not print "ready in" (exit: ${JSON.stringify(await Promise.race([exited, sleep(0)]))})`);
  const banner = output.slice(output.findIndex((line) => line === 'Ensoras email channel'));
  console.log(banner.filter((line) => /^\s+(database|NATS)\s/.test(line)).join('\n'));
  console.log(`${readyLine}; measuring in ${SETTLE_MS / 1000} s`);
  await sleep(SETTLE_MS);

  const processes = tree(launcher.pid);
  seen = new Map(processes.map((entry) => [entry.pid, entry.name]));
  let rss = 0;
  let pss = 0;
  let pssKnown = true;
  console.log(`${'pid'.padStart(7)}  ${'RSS MB'.padStart(7)}  ${'PSS MB'.padStart(7)}  process`);
  for (const entry of processes) {
    rss += entry.rssKb;
    if (entry.pssKb === null) pssKnown = false;
    else pss += entry.pssKb;
    const pssShown = entry.pssKb === null ? '?' : mb(entry.pssKb).toFixed(1);
    console.log(`${String(entry.pid).padStart(7)}  ${mb(entry.rssKb).toFixed(1).padStart(7)}  ${pssShown.padStart(7)}  ${entry.name}`);
  }
  const groups = {};
  for (const entry of processes) groups[entry.group] = (groups[entry.group] ?? 0) + entry.rssKb;
  console.log(`by kind (RSS): ${Object.entries(groups).map(([group, kb]) => `${group} ${mb(kb).toFixed(0)} MB`).join(', ')}`);
  console.log(
    `total: ${processes.length} processes, RSS ${mb(rss).toFixed(0)} MB  target < 1024 MB` +
      `${pssKnown ? `; PSS ${mb(pss).toFixed(0)} MB` : ' (PSS not readable for every process)'}`,
  );
  record('startup-rss-mb', mb(rss), {
    pssMb: pssKnown ? mb(pss) : null,
    processes: processes.length,
    byKindMb: Object.fromEntries(Object.entries(groups).map(([group, kb]) => [group, Math.round(mb(kb))])),
    settleSeconds: SETTLE_MS / 1000,
  });
} catch (error) {
  failed = true;
  console.log(`startup-rss: ${error instanceof Error ? error.message : String(error)}`);
  console.log(output.slice(-40).join('\n'));
  record('startup-rss-mb', null);
} finally {
  if (seen.size === 0) seen = new Map(tree(launcher.pid).map((entry) => [entry.pid, entry.name]));
  if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGINT');
  const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    console.log(`the launcher did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGINT; killing its tree`);
    failed = true;
  }
  // Whatever of the tree outlived the launcher's stop is a leak (a postgres or service left running).
  await sleep(500);
  const left = [...seen].filter(([pid]) => alive(pid));
  if (left.length > 0) {
    failed = true;
    console.log(`left running after the stop: ${left.map(([pid, name]) => `${pid} ${name}`).join('; ')}`);
    for (const [pid] of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  } else if (stopped) {
    console.log(`stopped cleanly (${output.filter((line) => /\| stopped/.test(line)).length} services said "stopped"); no process of the tree left`);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** The process and all its descendants, from /proc: pid, a readable name, its kind, VmRSS and Pss (kB). */
function tree(rootPid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, parent] of parents) if (parent === pids[i]) pids.push(pid);
  }
  return pids
    .map((pid) => {
      const status = read(`/proc/${pid}/status`);
      if (!status) return null;
      const rssKb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
      const pssMatch = read(`/proc/${pid}/smaps_rollup`)?.match(/^Pss:\s+(\d+)/m);
      const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
      const { name, group } = describe(pid, rootPid, cmdline);
      return { pid, name, group, rssKb, pssKb: pssMatch ? Number(pssMatch[1]) : null };
    })
    .filter(Boolean);
}

function describe(pid, rootPid, cmdline) {
  if (pid === rootPid) return { name: 'launcher (infra/dev/start.mjs)', group: 'launcher' };
  const service = cmdline.join(' ').match(/apps\/([a-z-]+)\/dist\/main\.js/)?.[1];
  if (service) return { name: service, group: 'services' };
  const command = cmdline.join(' ');
  if (/nats-server/.test(command)) return { name: 'nats-server', group: 'nats-server' };
  if (/postgres/.test(command)) return { name: command.startsWith('postgres:') ? command : 'postgres (postmaster)', group: 'database' };
  return { name: command || `pid ${pid}`, group: 'other' };
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
