import { findExecutable } from './executables.js';
import { isAddressInUse, readyOrExited, startManagedProcess, type ManagedProcess } from './managed-process.js';
import { freePort, waitForPortUntil } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface NatsTestServer {
  url: string;
  port: number;
  /** JetStream store directory; survives restart(), removed by stop(). */
  storeDir: string;
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port and store dir (for durability tests). */
  restart(): Promise<void>;
  /** SIGKILL: the server crashes with whatever JetStream had not flushed; start() brings it back. */
  kill(): Promise<void>;
  /** Starts a killed server again on the same port and store dir. */
  start(): Promise<void>;
}

export interface NatsServerOptions {
  /**
   * A nats-server configuration file (e.g. infra/nats/nats-server.conf) for users, permissions and limits. The port,
   * the listen address and the JetStream store dir are still chosen here, overriding the file's.
   */
  configFile?: string;
  /** Environment of the server process: the `$VARIABLES` a configuration file refers to, such as passwords. */
  env?: Record<string, string>;
}

const STARTUP_TIMEOUT_MS = 10_000;
// freePort() cannot reserve the port; another process may take it before nats-server binds.
const PORT_ATTEMPTS = 3;

/** Starts a private nats-server with JetStream on a free port, storing in a temp dir. */
export async function startNats(options: NatsServerOptions = {}): Promise<NatsTestServer> {
  const binary = await findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server'], 'apt-get install -y nats-server');
  const storeDir = await makeTempDir('ens-nats');
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const first = await launch(binary, port, storeDir, options);
        return runningServer(binary, port, storeDir, options, first);
      } catch (error) {
        if (attempt >= PORT_ATTEMPTS || !isAddressInUse(error)) throw error;
      }
    }
  } catch (error) {
    await removeTempDir(storeDir);
    throw error;
  }
}

function runningServer(binary: string, port: number, storeDir: string, options: NatsServerOptions, first: ManagedProcess): NatsTestServer {
  let current = first;
  let stopped: Promise<void> | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async restart() {
      if (stopped) throw new Error('restart() called after stop()');
      // SIGTERM lets nats-server shut JetStream down cleanly, as a real restart would.
      await current.stop();
      current = await launch(binary, port, storeDir, options);
    },
    async kill() {
      await current.kill();
    },
    async start() {
      if (stopped) throw new Error('start() called after stop()');
      if (!current.hasExited()) throw new Error('nats-server is still running');
      current = await launch(binary, port, storeDir, options);
    },
    stop() {
      stopped ??= (async () => {
        await current.stop();
        await removeTempDir(storeDir);
      })();
      return stopped;
    },
  };
}

async function launch(binary: string, port: number, storeDir: string, options: NatsServerOptions): Promise<ManagedProcess> {
  // Command-line flags override the configuration file's values.
  const config = options.configFile ? ['-c', options.configFile] : [];
  const server = startManagedProcess(binary, [...config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { env: options.env });
  try {
    // nats-server recovers JetStream before it opens the client port, so an open port means JetStream is ready.
    await readyOrExited(server, 'nats-server', (signal) => waitForPortUntil(port, '127.0.0.1', STARTUP_TIMEOUT_MS, signal));
    return server;
  } catch (error) {
    await server.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`nats-server failed to start on port ${port}: ${reason}\n${server.output()}`.trim(), { cause: error });
  }
}
