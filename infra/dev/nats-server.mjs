// The nats-server `npm start` runs when NATS_URL is unset: the system package's binary, JetStream on, data kept in
// .data/nats, on 4222 when it is free.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export async function startNatsServer(storeDir) {
  const binary = findNatsServer();
  if (!binary) {
    console.error(
      'nats-server was not found. Install it (Debian/Ubuntu: `sudo apt-get install nats-server`) or point NATS_URL at a NATS server with JetStream.',
    );
    process.exit(1);
  }
  const port = (await isFree(4222)) ? 4222 : await freePort();
  mkdirSync(storeDir, { recursive: true });
  // Own process group: Ctrl-C reaches npm start, which stops the services first and nats-server last.
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore', detached: true });
  let stopping = false;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  void exited.then((code) => {
    if (!stopping) console.error(`nats-server exited unexpectedly (code ${code}); the services keep retrying to reconnect`);
  });
  await waitForPort(port);
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function findNatsServer() {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

// Not @ensoras/testing's helpers: loading that package would cost the launcher, which runs as long as npm start, ~30 MB.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const done = (connected) => {
        socket.destroy();
        resolve(connected);
      };
      socket.once('connect', () => done(true)).once('error', () => done(false));
      socket.setTimeout(1_000, () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
