#!/usr/bin/env node
// `npm start`: all five services in one terminal, logs prefixed per service. Starts nats-server when NATS_URL is
// unset; without DATABASE_URL each service runs its own embedded PGlite under .data/<service>/. The banner comes once
// every service answers /health/ready. `npm start -- --demo` (or `npm run demo`) adds a local demo mailbox.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsServer } from './nats-server.mjs';
import { supervise } from './supervisor.mjs';

const startedAt = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.DATA_DIR ?? join(root, '.data');
const host = process.env.HOST ?? '127.0.0.1';
const withDemo = process.argv.includes('--demo');
mkdirSync(dataDir, { recursive: true });

const services = [
  { name: 'channel-config', port: 3001, api: 'admin API' },
  { name: 'ticketing', port: 3002, api: 'inbox API' },
  { name: 'ai-responder', port: 3003, api: 'health' },
  { name: 'mail-ingest', port: 3004, api: 'health + metrics' },
  { name: 'mail-outbound', port: 3005, api: 'health + metrics' },
];
// What a browser or curl on this machine uses: a wildcard bind is reached through loopback.
const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const urlOf = (service) => `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${service.port}`;

for (const service of services) {
  if (!existsSync(join(root, 'apps', service.name, 'dist', 'main.js'))) {
    console.error(`apps/${service.name} is not built: run \`npm run build\` (npm start does it for you).`);
    process.exit(1);
  }
}

const adminToken = process.env.ADMIN_TOKEN ?? persistentToken(join(dataDir, 'admin-token'));
const nats = process.env.NATS_URL ? null : await startNatsServer(join(dataDir, 'nats'));
const natsUrl = process.env.NATS_URL ?? nats.url;
console.log(`Starting the five services${nats ? ` and nats-server (${natsUrl})` : ''}; the addresses follow once all are ready.`);

const stack = supervise(
  services.map((service) => ({
    name: service.name,
    command: [process.execPath, `apps/${service.name}/dist/main.js`],
    env: { NATS_URL: natsUrl, ADMIN_TOKEN: adminToken, DATA_DIR: dataDir, PORT: String(service.port), HOST: host },
  })),
  { cwd: root },
);
let demo = null;
let stopping = false;
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await stack.stop();
  await demo?.stop();
  await nats?.stop();
  console.log(`Stopped. Data is kept in ${dataDir}; delete that folder to start from scratch.`);
  process.exit(0);
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

await waitUntilReady(services);
if (stopping) await new Promise(() => {});

console.log(
  [
    '',
    'Ensoras email channel',
    ...services.map((s) => `  ${s.name.padEnd(15)} ${urlOf(s)}  (${s.api})`),
    `  NATS            ${natsUrl}${nats ? ` (started here, data in ${join(dataDir, 'nats')})` : ''}`,
    `  database        ${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite per service in ${join(dataDir, '<service>', 'pglite')}`}`,
    `  admin token     ${adminToken}${process.env.ADMIN_TOKEN ? '' : ` (generated, kept in ${join(dataDir, 'admin-token')})`}`,
    '',
    `Try: curl -H "Authorization: Bearer ${adminToken}" ${urlOf(services[0])}/v1/projects/demo/configuration`,
  ].join('\n'),
);

if (withDemo) {
  const { startDemo } = await import('./demo.mjs');
  demo = await startDemo({ dataDir, adminToken, configUrl: urlOf(services[0]), inboxUrl: urlOf(services[1]) });
}
console.log(`\nready in ${Math.round((Date.now() - startedAt) / 1000)} s (Ctrl-C stops everything)\n`);

/** Polls each service's readiness; says which ones keep the others waiting after a while. */
async function waitUntilReady(list) {
  const pending = new Set(list);
  let nextReport = Date.now() + 60_000;
  while (pending.size > 0 && !stopping) {
    await Promise.all([...pending].map(async (service) => (await isReady(service)) && pending.delete(service)));
    if (pending.size === 0) return;
    if (Date.now() > nextReport) {
      console.log(`Still waiting for: ${[...pending].map((s) => s.name).join(', ')} (their logs above say why)`);
      nextReport = Date.now() + 60_000;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function isReady(service) {
  try {
    const ready = await fetch(`${urlOf(service)}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return ready.ok;
  } catch {
    return false;
  }
}

function persistentToken(path) {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, token, { mode: 0o600 });
  return token;
}
