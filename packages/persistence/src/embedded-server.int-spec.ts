import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-server-'));
  // As root the server runs as nobody, which must pass through the (0700) temp dir.
  chmodSync(dataDir, 0o711);
  const serverDir = join(dataDir, 'postgres');
  const running = new Set<EmbeddedServer>();
  const start = async () => {
    const server = await startEmbeddedServer(serverDir);
    running.add(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all([...running].map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves two schemas to two connections, on 127.0.0.1 only, with a password', async () => {
    const server = await start();
    expect(server.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres/);
    await Promise.all(
      ['ticketing', 'mail_ingest'].map((schema) =>
        query(server.url, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.note (body text); INSERT INTO ${schema}.note VALUES ('${schema} note')`),
      ),
    );
    const settings = await query<{ name: string; setting: string }>(
      server.url,
      "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'unix_socket_directories', 'fsync', 'max_connections') ORDER BY name",
    );
    expect(Object.fromEntries(settings.map(({ name, setting }) => [name, setting]))).toEqual({
      fsync: 'on',
      listen_addresses: '127.0.0.1',
      max_connections: '100',
      unix_socket_directories: '',
    });
    const wrongPassword = server.url.replace(/:[^:@]+@/, ':wrong@');
    await expect(query(wrongPassword, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    if (process.getuid?.() === 0) {
      expect(server.runsAs).not.toBe('root');
      expect(statSync(server.pgdata).uid).not.toBe(0);
    }
    await server.stop();
    await server.stop(); // twice is fine
    expect((await server.exited).code).toBe(0);
  });

  it('keeps the data, the port and the password across a restart', async () => {
    const before = JSON.parse(readFileSync(join(serverDir, 'server.json'), 'utf8')) as { port: number };
    const server = await start();
    expect(server.port).toBe(before.port);
    const notes = await query<{ body: string }>(server.url, 'SELECT body FROM ticketing.note UNION ALL SELECT body FROM mail_ingest.note ORDER BY 1');
    expect(notes.map((note) => note.body)).toEqual(['mail_ingest note', 'ticketing note']);
    await server.stop();
  });

  it('starts after a kill -9 of the server, and after a stale postmaster.pid naming a live process of another program', async () => {
    const killed = await start();
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
    running.delete(killed);
    const afterKill = await start();
    expect(await query(afterKill.url, 'SELECT count(*)::int AS n FROM ticketing.note')).toEqual([{ n: 1 }]);
    await afterKill.stop();

    // A live process of the server's own user that is no postgres of this data directory, as when the pid was reused
    // after a reboot: PostgreSQL alone would refuse to start ("lock file already exists").
    const owner = statSync(join(serverDir, 'pgdata'));
    const other = spawn('sleep', ['30'], { stdio: 'ignore', ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}) });
    try {
      const lockFile = join(serverDir, 'pgdata', 'postmaster.pid');
      writeFileSync(lockFile, `${other.pid}\n${join(serverDir, 'pgdata')}\n1700000000\n5432\n\n127.0.0.1\n  5432001     0\nready   \n`);
      const afterStalePid = await start();
      expect(await query(afterStalePid.url, 'SELECT count(*)::int AS n FROM mail_ingest.note')).toEqual([{ n: 1 }]);
      expect(other.exitCode).toBeNull(); // left alone
    } finally {
      other.kill();
    }
  });

  it('stops a server of the same data directory left running (its launcher was killed) before starting', async () => {
    const [left] = [...running];
    running.delete(left);
    const server = await start();
    // The one left running was shut down (fast shutdown, exit code 0), not killed.
    expect(await left.exited).toMatchObject({ code: 0 });
    expect(server.pid).not.toBe(left.pid);
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM ticketing.note')).toEqual([{ n: 1 }]);
    await server.stop();
  });

  it('refuses to start, keeping the data, when server.json (the password) is gone', async () => {
    const stateFile = join(serverDir, 'server.json');
    renameSync(stateFile, `${stateFile}.aside`);
    try {
      await expect(startEmbeddedServer(serverDir)).rejects.toThrow(/server\.json .* is missing or unreadable/);
      expect(existsSync(join(serverDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    } finally {
      renameSync(`${stateFile}.aside`, stateFile);
    }
  });
});
