/**
 * Last-resort cleanup for servers and temp dirs a test run did not stop: runs when
 * the process exits or is terminated. Vitest ends its fork workers with SIGTERM,
 * which skips 'exit' handlers unless someone listens for the signal.
 */
type CleanupAction = () => void;

const actions = new Set<CleanupAction>();
const TERMINATING_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const handlers = new Map<NodeJS.Signals, () => void>();
let installed = false;

/** Registers a synchronous cleanup action; call the returned function once the resource is cleaned up normally. */
export function cleanUpOnProcessExit(action: CleanupAction): () => void {
  install();
  actions.add(action);
  return () => actions.delete(action);
}

function runAll(): void {
  // Newest first: a server is killed before the temp dir it lives in is removed.
  for (const action of [...actions].reverse()) {
    actions.delete(action);
    try {
      action();
    } catch {
      // Best effort: one failure must not stop the remaining cleanups.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const signal of TERMINATING_SIGNALS) {
    const onSignal = (): void => {
      runAll();
      for (const other of TERMINATING_SIGNALS) process.removeListener(other, handlers.get(other)!);
      // Listening for a signal replaces Node's default "terminate". If nobody else
      // handles it, re-raise it so the process still dies as it would without us.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    handlers.set(signal, onSignal);
    process.once(signal, onSignal);
  }
}
