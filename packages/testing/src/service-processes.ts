import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { eventually } from './wait.js';

// packages/testing/{src,dist}/ → the repository root, whose apps/<name>/dist/main.js are started.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SERVICE_NAMES = ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface RunningServices {
  url(service: ServiceName): string;
  logs(service: ServiceName): string;
  /** Writes every service's output so far to `<dir>/<label>/<service>.log` (a fresh temp dir); returns that folder. */
  saveLogs(label: string): string;
  stop(): Promise<void>;
}

/** Starts the built services (apps/<name>/dist/main.js) as separate processes, as they run in production. */
export async function startServices(environment: Record<string, string>): Promise<RunningServices> {
  const ports = new Map<ServiceName, number>();
  const children = new Map<ServiceName, ChildProcess>();
  const output = new Map<ServiceName, string[]>();
  for (const name of SERVICE_NAMES) {
    const port = await freePort();
    ports.set(name, port);
    output.set(name, []);
    const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
      cwd: root,
      env: { ...process.env, ...environment, PORT: String(port), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = output.get(name)!;
    child.stdout?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    children.set(name, child);
  }
  const services: RunningServices = {
    url: (name) => `http://127.0.0.1:${ports.get(name)}`,
    logs: (name) => output.get(name)!.join(''),
    saveLogs(label) {
      const dir = join(mkdtempSync(join(tmpdir(), 'e2e-logs-')), label.replace(/[^\w.-]+/g, '-').slice(0, 80));
      mkdirSync(dir, { recursive: true });
      for (const name of SERVICE_NAMES) writeFileSync(join(dir, `${name}.log`), services.logs(name));
      return dir;
    },
    async stop() {
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(killer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
  for (const name of SERVICE_NAMES) {
    await eventually(
      async () => {
        const child = children.get(name)!;
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${services.logs(name)}`);
        const response = await fetch(`${services.url(name)}/health`).catch(() => null);
        return response?.ok ?? false;
      },
      { timeoutMs: 90_000, intervalMs: 250, message: `${name} did not become healthy` },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- ${name} output ---\n${services.logs(name)}`);
    });
  }
  return services;
}
