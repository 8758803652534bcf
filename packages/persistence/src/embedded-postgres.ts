import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite served over the Postgres wire protocol on a loopback port, so the service talks to it with the same
 * `pg` driver and runs the same migrations as against PostgreSQL. PGlite runs one query stream, so the
 * server takes one connection and the pool is sized to one. What a service runs when started alone without
 * DATABASE_URL (integration tests, a single service by hand); `npm start` gives every service the one embedded
 * PostgreSQL server of startEmbeddedServer instead.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  // Loaded only here: a service given DATABASE_URL (as under `npm start`) never carries PGlite in its memory.
  const [{ PGlite }, { pgcrypto }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pgcrypto'),
    import('@electric-sql/pglite-socket'),
  ]);
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { pgcrypto } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: await freeLoopbackPort(), maxConnections: 1 });
  await server.start();
  const address = server.getServerConn();
  new Logger('EmbeddedPostgres').log(`Embedded PGlite at ${dataDir} on ${address}`);
  return {
    url: `postgres://postgres:postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
