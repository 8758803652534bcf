#!/usr/bin/env node
// `npm start`: all five services and the web console in one terminal, logs prefixed per service. Starts nats-server
// when NATS_URL is unset, and without DATABASE_URL one embedded PostgreSQL server (data in .data/postgres) in which
// each service has its own schema, as on a real PostgreSQL. The banner comes once every service answers /health/ready.
// `npm start -- --demo` (or `npm run demo`) adds a local demo mailbox. BASE_PORT (3001) moves the five HTTP ports;
// the console is on the port below them (3000).
// Once all are ready it imports the demo knowledge base into project `demo` (demo-knowledge.mjs).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDemoKnowledge } from './demo-knowledge.mjs';
import { startNatsServer } from './nats-server.mjs';
import { supervise } from './supervisor.mjs';

const startedAt = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.DATA_DIR ?? join(root, '.data');
const host = process.env.HOST ?? '127.0.0.1';
const withDemo = process.argv.includes('--demo');
const basePort = Number(process.env.BASE_PORT ?? 3001);
/** The embedded PostgreSQL's port on its first start when free (5432 is a system PostgreSQL's); kept in .data/postgres. */
const EMBEDDED_POSTGRES_PORT = 5433;
mkdirSync(dataDir, { recursive: true });

const services = [
  { name: 'channel-config', port: basePort, api: 'admin API' },
  { name: 'ticketing', port: basePort + 1, api: 'inbox API' },
  { name: 'ai-responder', port: basePort + 2, api: 'health' },
  { name: 'mail-ingest', port: basePort + 3, api: 'health + metrics' },
  { name: 'mail-outbound', port: basePort + 4, api: 'health + metrics' },
];
// The console forwards its /api/* to the services (no NATS, no database): it needs only their addresses.
const consoleApp = { name: 'console', port: basePort - 1, api: 'web console: sign in with the admin token' };
// What a browser or curl on this machine uses: a wildcard bind is reached through loopback.
const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const urlOf = (service) => `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${service.port}`;

const builtFiles = [
  ...[...services, consoleApp].map((app) => ({ app: `apps/${app.name}`, file: 'dist/main.js' })),
  { app: 'apps/console', file: 'dist/web/index.html' },
];
for (const { app, file } of builtFiles) {
  if (!existsSync(join(root, app, file))) {
    console.error(`${app} is not built: run \`npm run build\` (npm start does it for you).`);
    process.exit(1);
  }
}

const adminToken = process.env.ADMIN_TOKEN ?? persistentToken(join(dataDir, 'admin-token'));
const label = (name) => name.padEnd(Math.max(...services.map((service) => service.name.length)));
let nats = null;
let database = null;
let stack = null;
let demo = null;
let stopping = false;
// Services first (they finish their work and close their pools), then what they use.
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await starting;
  await stack?.stop();
  await demo?.stop();
  if (database) {
    await database.stop();
    console.log(`${label('postgres')} | stopped`);
  }
  await nats?.stop();
  console.log(`Stopped. Data is kept in ${dataDir}; delete that folder to start from scratch.`);
  process.exit(0);
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

const starting = Promise.allSettled([
  process.env.NATS_URL ? null : startNatsServer(join(dataDir, 'nats')).then((server) => (nats = server)),
  process.env.DATABASE_URL ? null : startDatabase().then((server) => (database = server)),
]);
const failures = (await starting).filter((result) => result.status === 'rejected');
if (failures.length > 0) {
  for (const { reason } of failures) console.error(reason instanceof Error ? reason.message : String(reason));
  await database?.stop();
  await nats?.stop();
  process.exit(1);
}
if (stopping) await new Promise(() => {});
const natsUrl = process.env.NATS_URL ?? nats.url;
const databaseUrl = process.env.DATABASE_URL ?? database?.url;
console.log(
  `Starting the five services and the console${nats ? `, nats-server (${natsUrl})` : ''}${database ? `, PostgreSQL ${database.version} on 127.0.0.1:${database.port}` : ''}; the addresses follow once all are ready.`,
);

/**
 * Services whose young generation is 1 MB instead of 16 under `npm start`: about 26 MB less resident memory each, for
 * the whole tree's memory target (docs/benchmarks.md). Not the intake path (mail-ingest, ticketing) nor mail-outbound,
 * whose bursts make garbage fast; the admin API and the responder (a few replies a second) hardly notice.
 */
const SMALL_YOUNG_GENERATION = new Set(['channel-config', 'ai-responder']);

stack = supervise(
  [
    ...services.map((service) => ({
      name: service.name,
      command: [process.execPath, ...(SMALL_YOUNG_GENERATION.has(service.name) ? ['--max-semi-space-size=1'] : []), `apps/${service.name}/dist/main.js`],
      env: {
        NATS_URL: natsUrl,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ADMIN_TOKEN: adminToken,
        DATA_DIR: dataDir,
        PORT: String(service.port),
        HOST: host,
        // One readable line per entry for people at a terminal; services log JSON unless told (LOG_FORMAT=json here).
        LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      },
    })),
    // The browser signs in with the admin token; the console only passes it on, so it is not given one.
    {
      name: consoleApp.name,
      // A young generation of 1 MB instead of 16: about 25 MB less resident memory; a proxy that streams has little
      // garbage to collect.
      command: [process.execPath, '--max-semi-space-size=1', 'apps/console/dist/main.js'],
      env: {
        PORT: String(consoleApp.port),
        HOST: host,
        CHANNEL_CONFIG_URL: urlOf(services[0]),
        TICKETING_URL: urlOf(services[1]),
        AI_RESPONDER_URL: urlOf(services[2]),
        MAIL_INGEST_URL: urlOf(services[3]),
      },
    },
  ],
  { cwd: root },
);

await waitUntilReady([...services, consoleApp]);
if (stopping) await new Promise(() => {});

console.log(
  [
    '',
    'Ensoras email channel',
    ...[consoleApp, ...services].map((s) => `  ${s.name.padEnd(15)} ${urlOf(s)}  (${s.api})`),
    `  NATS            ${natsUrl}${nats ? ` (started here, data in ${join(dataDir, 'nats')})` : ''}`,
    `  database        ${databaseLine()}`,
    `  admin token     ${adminToken}${process.env.ADMIN_TOKEN ? '' : ` (generated, kept in ${join(dataDir, 'admin-token')})`}`,
    '',
    `Open ${urlOf(consoleApp)} and sign in with the admin token, or try:`,
    `  curl -H "Authorization: Bearer ${adminToken}" ${urlOf(services[0])}/v1/projects/demo/configuration`,
  ].join('\n'),
);

// Before the demo mailbox is enabled, so that its first mail is answered from the knowledge base.
await importDemoKnowledge({ root, adminToken, aiResponderUrl: urlOf(services[2]) });
if (withDemo) {
  const { startDemo } = await import('./demo.mjs');
  demo = await startDemo({ dataDir, adminToken, configUrl: urlOf(services[0]), inboxUrl: urlOf(services[1]) });
}
console.log(`\nready in ${Math.round((Date.now() - startedAt) / 1000)} s (Ctrl-C stops everything)\n`);

/**
 * One PostgreSQL server for the five (each keeps its own schema), data in DATA_DIR/postgres. Where the npm registry
 * has no PostgreSQL binaries for this machine, the services fall back to an embedded PGlite each.
 */
async function startDatabase() {
  const { startEmbeddedServer } = await import('@ensoras/persistence/embedded-server');
  const postgresDir = join(dataDir, 'postgres');
  const fresh = !existsSync(join(postgresDir, 'pgdata'));
  if (fresh) console.log(`Creating the embedded PostgreSQL database in ${postgresDir} (once)…`);
  try {
    const server = await startEmbeddedServer(postgresDir, {
      port: EMBEDDED_POSTGRES_PORT,
      onLog: (line) => process.stdout.write(`${label('postgres')} | ${line}\n`),
    });
    void server.exited.then(({ code, signal }) => {
      if (!stopping) console.error(`PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); the services keep retrying to reconnect, restart npm start`);
    });
    return server;
  } catch (error) {
    if (error?.code !== 'EMBEDDED_SERVER_UNAVAILABLE') throw error;
    console.log(`${error.message}.\nEach service runs an embedded PGlite instead (about 550 MB each); set DATABASE_URL to use a PostgreSQL server.`);
    return null;
  }
}

function databaseLine() {
  if (process.env.DATABASE_URL) return 'DATABASE_URL';
  if (!database) return `embedded PGlite per service in ${join(dataDir, '<service>', 'pglite')}`;
  return `embedded PostgreSQL ${database.version}, ${database.url} (data in ${join(dataDir, 'postgres')}, run as ${database.runsAs})`;
}

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
