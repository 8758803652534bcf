import { spawn, type ChildProcess } from 'node:child_process';
import { cleanUpOnProcessExit } from './process-exit-cleanup.js';

/** A long-running server process we started and must be able to kill with all its children. */
export interface ManagedProcess {
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** Recent stdout+stderr, for error messages when startup fails. */
  output(): string;
  /** SIGTERM to the process group, then SIGKILL if the leader has not exited within graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the process group at once: a crash, no shutdown. */
  kill(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

export function startManagedProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): ManagedProcess {
  // detached: the server leads its own process group, so stop() can also kill
  // helper processes it forked (Dovecot runs a dozen of them).
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exitedFlag = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      exitedFlag = true;
      append(Buffer.from(`\n${String(error)}\n`));
      resolve('spawn-error');
    });
  });

  const pid = child.pid ?? -1;
  // A crashed or careless test run must not leave servers holding ports.
  const forgetCleanup = cleanUpOnProcessExit(() => signal(pid, 'SIGKILL'));
  // Nor must a forgotten server keep the test runner alive; the cleanup above kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();

  return {
    pid,
    exited,
    hasExited: () => exitedFlag,
    output: () => output,
    async stop(graceMs = 5_000) {
      if (!exitedFlag) {
        // The child was unref'd at spawn; while we wait for it to exit, it must keep the event loop alive.
        child.ref();
        // SIGTERM to the whole group: Dovecot's master alone takes ~1 s to wind its
        // children down, while terminating all of them at once takes ~0.1 s.
        signal(pid, 'SIGTERM');
        let timeout: NodeJS.Timeout | undefined;
        const timer = new Promise<'timeout'>((resolve) => (timeout = setTimeout(() => resolve('timeout'), graceMs)));
        if ((await Promise.race([exited, timer])) === 'timeout') {
          signal(pid, 'SIGKILL');
          await exited;
        }
        clearTimeout(timeout);
      }
      // Reap anything the leader left behind (children that outlived it).
      signal(pid, 'SIGKILL');
      forgetCleanup();
    },
    async kill() {
      child.ref();
      signal(pid, 'SIGKILL');
      await exited;
      forgetCleanup();
    },
  };
}

/** Signals the process group led by `pid` (the server and everything it forked). */
function signal(pid: number, name: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, name);
  } catch {
    // ESRCH: already gone, which is what we wanted.
  }
}

/**
 * Waits for `whenReady` (typically the server's port opening) but fails at once if
 * the process exits first, e.g. on a config error, instead of waiting for a timeout.
 * The signal tells `whenReady` to stop polling in that case.
 */
export async function readyOrExited(server: ManagedProcess, name: string, whenReady: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const exitedEarly = server.exited.then((code): never => {
    abort.abort();
    throw new Error(`${name} exited during startup (${code})`);
  });
  // exitedEarly also rejects on every normal stop() later; that is not an error.
  exitedEarly.catch(() => undefined);
  const ready = whenReady(abort.signal);
  ready.catch(() => undefined);
  try {
    await Promise.race([ready, exitedEarly]);
  } finally {
    abort.abort();
  }
}

/** True when a startup failure was a lost race for a port another process grabbed after freePort(). */
export function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && /address already in use/i.test(error.message);
}
