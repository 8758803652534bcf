import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { eventually } from './wait.js';

// packages/testing/{src,dist}/ → the repository root, whose apps/<name>/dist/main.js are started.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SERVICE_NAMES = ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** The apps started from apps/<name>/dist/main.js: the five services and the admin console in front of them. */
type AppName = ServiceName | 'console';

export interface RunningServices {
  url(service: ServiceName): string;
  logs(service: ServiceName): string;
  /** Writes every service's output so far to `<dir>/<label>/<service>.log` (a fresh temp dir); returns that folder. */
  saveLogs(label: string): string;
  /** Kills one service (SIGKILL by default: a crash, no shutdown hooks) and waits until it is gone. */
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed service again on its port; waits until it answers /health unless told not to. */
  start(service: ServiceName, options?: { waitUntilHealthy?: boolean }): Promise<void>;
  /** Resolves once the service answers /health (within 90 s); rejects with its output otherwise. */
  whenHealthy(service: ServiceName, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the built services (apps/<name>/dist/main.js) as separate processes, as they run in production. */
export async function startServices(
  environment: Record<string, string>,
  /** Variables for one service only, e.g. its own NATS login. */
  perService: Partial<Record<ServiceName, Record<string, string>>> = {},
  /** How long each service may take to answer /health at start: 90 s, more for many services on a small machine. */
  options: { healthyWithinMs?: number } = {},
): Promise<RunningServices> {
  const ports = new Map<ServiceName, number>();
  const processes = new Map<ServiceName, ServiceProcess>();
  // One log per service across restarts.
  const output = new Map<ServiceName, string[]>();
  const spawnService = (name: ServiceName): void => {
    processes.set(name, spawnServiceProcess(name, { ...environment, ...perService[name] }, ports.get(name)!, output.get(name)!));
  };
  for (const name of SERVICE_NAMES) {
    ports.set(name, await freePort());
    output.set(name, []);
    spawnService(name);
  }
  const whenHealthy = (name: ServiceName, timeoutMs = 90_000): Promise<void> =>
    untilAnswering(processes.get(name)!, '/health', { name, timeoutMs, logs: () => services.logs(name) });
  const services: RunningServices = {
    url: (name) => `http://127.0.0.1:${ports.get(name)}`,
    logs: (name) => output.get(name)!.join(''),
    saveLogs(label) {
      const dir = join(mkdtempSync(join(tmpdir(), 'e2e-logs-')), label.replace(/[^\w.-]+/g, '-').slice(0, 80));
      mkdirSync(dir, { recursive: true });
      for (const name of SERVICE_NAMES) writeFileSync(join(dir, `${name}.log`), services.logs(name));
      return dir;
    },
    kill: (name, signal = 'SIGKILL') => processes.get(name)!.kill(signal),
    async start(name, { waitUntilHealthy = true } = {}) {
      if (processes.get(name)!.exitCode() === null) throw new Error(`${name} is still running`);
      output.get(name)!.push(`--- restarted at ${new Date().toISOString()} ---\n`);
      spawnService(name);
      if (waitUntilHealthy) await whenHealthy(name);
    },
    whenHealthy,
    async stop() {
      await Promise.all([...processes.values()].map((service) => service.stop()));
    },
  };
  for (const name of SERVICE_NAMES) await whenHealthy(name, options.healthyWithinMs);
  return services;
}

export interface ServiceProcess {
  url: string;
  logs(): string;
  /** Null while it runs; its exit code (or signal) once it exited. */
  exitCode(): number | string | null;
  /** Sends `signal` and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts one built service (apps/<name>/dist/main.js) and returns as soon as it is spawned, without waiting for it
 * to become healthy: for tests of a service that starts while its dependencies are down.
 */
export async function startServiceProcess(name: ServiceName, environment: Record<string, string>): Promise<ServiceProcess> {
  return spawnServiceProcess(name, { ...environment, HOST: '127.0.0.1' }, await freePort(), []);
}

/**
 * Starts the built admin console (apps/console/dist/main.js) in front of `services`, as `npm start` runs it: one
 * origin that serves the page and forwards /api/* to the services. Resolves once it answers /health/ready.
 */
export async function startConsole(services: Pick<RunningServices, 'url'>, environment: Record<string, string> = {}): Promise<ServiceProcess> {
  const main = join(root, 'apps', 'console', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build the console first (npx turbo run build --filter=@ensoras/console)`);
  const app = spawnServiceProcess('console', {
    HOST: '127.0.0.1',
    CHANNEL_CONFIG_URL: services.url('channel-config'),
    TICKETING_URL: services.url('ticketing'),
    AI_RESPONDER_URL: services.url('ai-responder'),
    MAIL_INGEST_URL: services.url('mail-ingest'),
    ...environment,
  }, await freePort(), []);
  try {
    await untilAnswering(app, '/health/ready', { name: 'the console', timeoutMs: 60_000, logs: () => app.logs() });
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

/**
 * Resolves once `app` answers `path` with a 2xx; rejects with its output when it does not within `timeoutMs`, or at
 * once when it exits (a throwing probe would only count as "not yet" for eventually, and the wait run out).
 */
async function untilAnswering(app: ServiceProcess, path: string, options: { name: string; timeoutMs: number; logs: () => string }): Promise<void> {
  const { name, timeoutMs, logs } = options;
  try {
    await eventually(async () => app.exitCode() !== null || ((await fetch(`${app.url}${path}`).catch(() => null))?.ok ?? false), {
      timeoutMs,
      intervalMs: 250,
      message: `${name} did not answer ${path}`,
    });
    if (app.exitCode() !== null) throw new Error(`${name} exited with ${app.exitCode()}`);
  } catch (error) {
    throw new Error(`${String(error)}\n--- ${name} output ---\n${logs()}`);
  }
}

/** One app process on `port`, its output appended to `lines`. */
function spawnServiceProcess(name: AppName, environment: Record<string, string>, port: number, lines: string[]): ServiceProcess {
  // SERVICE_NODE_ARGS: flags for the services' Node only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where a
  // benchmark's time goes (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'apps', name, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...environment, PORT: String(port), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  let exit: number | string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (exit !== null) return;
    child.kill(signal);
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    logs: () => lines.join(''),
    exitCode: () => exit,
    kill,
    async stop() {
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await kill('SIGTERM');
      clearTimeout(killer);
    },
  };
}
