import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type MigrationInterface } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '@ensoras/persistence';
import { createTestDatabase, type TestDatabase } from '@ensoras/testing';
import { MIGRATIONS } from './index.js';

type MigrationClass = new () => MigrationInterface;
const BEFORE = MIGRATIONS.slice(0, -1) as MigrationClass[];

/** Issue 9's migration over rows written before it, on PostgreSQL and on the embedded PGlite alike. */
describe.each([
  ['PostgreSQL', true],
  ['embedded PGlite', false],
])('the ticket states migration on %s', (_name, usePostgres) => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  const opened: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ticketing-migration-'));
    if (usePostgres) database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const close of opened.reverse()) await close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The database migrated with these migrations (migrationsRun). */
  async function open(migrations: MigrationClass[]): Promise<DataSource & { closeAll: () => Promise<void> }> {
    const resolved = await resolveDatabase({ schema: 'ticketing', entities: [], migrations, databaseUrl: database?.url, dataDir });
    // The refused writes below are the point: not logged.
    const dataSource = await new DataSource({ ...resolved.options, logging: false }).initialize();
    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        await dataSource.destroy();
        await resolved.embedded?.stop();
      })());
    opened.push(close);
    return Object.assign(dataSource, { closeAll: close });
  }

  it('renames handed_off to needs_human, admits drafts and sources, and goes back down', async () => {
    const before = await open(BEFORE);
    const [handedOff, open_] = [randomUUID(), randomUUID()];
    const now = new Date().toISOString();
    for (const [id, status] of [[handedOff, 'handed_off'], [open_, 'open']] as const) {
      await before.query(
        `INSERT INTO ticketing.ticket (id, project_id, subject, customer_address, customer_name, status, message_count, created_at, updated_at)
         VALUES ($1, 'p1', 'Subject', 'anna@customer.example', 'Anna', $2, 1, $3, $3)`,
        [id, status, now],
      );
    }
    const insertMessage = (dataSource: DataSource, deliveryStatus: string) =>
      dataSource.query(
        `INSERT INTO ticketing.ticket_message (id, ticket_id, project_id, direction, author, subject, text, new_text, message_id, delivery_status, kind, created_at)
         VALUES ($1, $2, 'p1', 'outbound', 'ai', 'Re: Subject', 'Hello', 'Hello', $3, $4, 'normal', $5)`,
        [randomUUID(), open_, `<${randomUUID()}@acme.example>`, deliveryStatus, now],
      );
    await insertMessage(before, 'queued');
    await expect(insertMessage(before, 'draft')).rejects.toThrow(/check constraint/);
    await before.closeAll();

    const after = await open(MIGRATIONS as MigrationClass[]);
    expect(await after.query(`SELECT id, status FROM ticketing.ticket ORDER BY status`)).toEqual([
      { id: handedOff, status: 'needs_human' },
      { id: open_, status: 'open' },
    ]);
    await insertMessage(after, 'draft');
    await insertMessage(after, 'discarded');
    await expect(insertMessage(after, 'bogus')).rejects.toThrow(/check constraint/);
    await expect(after.query(`UPDATE ticketing.ticket SET status = 'handed_off' WHERE id = $1`, [open_])).rejects.toThrow(/check constraint/);
    await after.query(`UPDATE ticketing.ticket SET status = 'draft_ready' WHERE id = $1`, [open_]);
    expect(await after.query(`SELECT DISTINCT sources FROM ticketing.ticket_message`)).toEqual([{ sources: [] }]);
    expect(await after.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'ticketing' AND indexname = 'ticket_project_status_newest'`)).toHaveLength(1);

    await after.undoLastMigration();
    expect(await after.query(`SELECT id, status FROM ticketing.ticket ORDER BY status`)).toEqual([
      { id: handedOff, status: 'handed_off' },
      { id: open_, status: 'open' },
    ]);
    expect(await after.query(`SELECT delivery_status FROM ticketing.ticket_message ORDER BY delivery_status`)).toEqual([
      { delivery_status: 'failed' },
      { delivery_status: 'failed' },
      { delivery_status: 'queued' },
    ]);
  });
});
