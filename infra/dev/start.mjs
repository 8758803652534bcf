#!/usr/bin/env node
// `npm start`: all five services in one terminal, logs prefixed per service. Starts nats-server when NATS_URL is
// unset; without DATABASE_URL each service runs its own embedded PGlite under .data/<service>/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import concurrently from 'concurrently';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.DATA_DIR ?? join(root, '.data');
mkdirSync(dataDir, { recursive: true });

const services = [
  { name: 'channel-config', port: 3001, api: 'admin API' },
  { name: 'ticketing', port: 3002, api: 'inbox API' },
  { name: 'ai-responder', port: 3003, api: 'health' },
  { name: 'mail-ingest', port: 3004, api: 'health + metrics' },
  { name: 'mail-outbound', port: 3005, api: 'health + metrics' },
];

const adminToken = process.env.ADMIN_TOKEN ?? persistentToken(join(dataDir, 'admin-token'));
const nats = process.env.NATS_URL ? null : await startNats();
const natsUrl = process.env.NATS_URL ?? nats.url;

for (const service of services) {
  if (!existsSync(join(root, 'apps', service.name, 'dist', 'main.js'))) {
    console.error(`apps/${service.name} is not built: run \`npm run build\` (npm start does it for you).`);
    process.exit(1);
  }
}

const { result } = concurrently(
  services.map((service) => ({
    name: service.name,
    command: `node apps/${service.name}/dist/main.js`,
    env: { NATS_URL: natsUrl, ADMIN_TOKEN: adminToken, DATA_DIR: dataDir, PORT: String(service.port) },
  })),
  { cwd: root, prefix: 'name', prefixColors: ['cyan', 'green', 'magenta', 'yellow', 'blue'], killOthersOn: ['failure'] },
);

console.log(
  [
    '',
    'Ensoras email channel',
    ...services.map((s) => `  ${s.name.padEnd(15)} http://127.0.0.1:${s.port}  (${s.api})`),
    `  NATS            ${natsUrl}${nats ? ` (started here, data in ${join(dataDir, 'nats')})` : ''}`,
    `  database        ${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite per service in ${join(dataDir, '<service>', 'pglite')}`}`,
    `  admin token     ${adminToken}${process.env.ADMIN_TOKEN ? '' : ` (generated, kept in ${join(dataDir, 'admin-token')})`}`,
    '',
    `Try: curl -H "Authorization: Bearer ${adminToken}" http://127.0.0.1:3001/v1/projects/demo/configuration`,
    '',
  ].join('\n'),
);

const stopNats = () => nats?.stop();
process.on('SIGINT', stopNats);
process.on('SIGTERM', stopNats);
try {
  await result;
} catch {
  process.exitCode = 1;
} finally {
  stopNats();
}

function persistentToken(path) {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, token, { mode: 0o600 });
  return token;
}

function findNatsServer() {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

async function startNats() {
  const binary = findNatsServer();
  if (!binary) {
    console.error(
      'nats-server was not found. Install it (Debian/Ubuntu: `sudo apt-get install nats-server`) or point NATS_URL at a NATS server with JetStream.',
    );
    process.exit(1);
  }
  const port = (await isFree(4222)) ? 4222 : await freePort();
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  child.on('exit', (code) => code && console.error(`nats-server exited with code ${code}`));
  await waitForPort(port);
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.exitCode === null && child.kill('SIGTERM') };
}

function isFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nats-server did not open port ${port}`);
}
