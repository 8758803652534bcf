import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@ensoras/testing';
import { resolveDatabase } from './database-options.js';
import { migrateSchema } from './migrate-schema.js';
import { initializeMigrated } from './schema-migrations.js';

const SCHEMA = 'lock_area';

/** Slow on purpose: two unlocked runs would both find it pending and the second would fail on CREATE TABLE. */
class CreateParcel1764000000001 implements MigrationInterface {
  name = 'CreateParcel1764000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT pg_sleep(0.5)');
    await queryRunner.query(`CREATE TABLE "${SCHEMA}"."parcel" ("id" int PRIMARY KEY)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${SCHEMA}"."parcel"`);
  }
}

class AddParcelLabel1764000000002 implements MigrationInterface {
  name = 'AddParcelLabel1764000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${SCHEMA}"."parcel" ADD "label" text`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${SCHEMA}"."parcel" DROP COLUMN "label"`);
  }
}

const MIGRATIONS = [CreateParcel1764000000001, AddParcelLabel1764000000002];

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('schema migrations on PostgreSQL', () => {
  let database: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'migrations-'));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('two concurrent runs on a fresh database both succeed and migrate the schema once', async () => {
    const run = () => migrateSchema({ schema: SCHEMA, migrations: MIGRATIONS, databaseUrl: database.url, dataDir });
    const results = await Promise.allSettled([run(), run()]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await query(database.url, `SELECT name FROM "${SCHEMA}"."migrations" ORDER BY id`)).toEqual([
      { name: 'CreateParcel1764000000001' },
      { name: 'AddParcelLabel1764000000002' },
    ]);
    const columns = await query(
      database.url,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = '${SCHEMA}' AND table_name = 'parcel' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([{ column_name: 'id' }, { column_name: 'label' }]);
    // Nobody keeps the lock once the runs are over.
    expect(await query(database.url, `SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).toEqual([{ held: 0 }]);
  });

  it('a replica with MIGRATIONS_AT_START=false waits until the migrations job has run', async () => {
    const other = await createTestDatabase();
    try {
      const options = { schema: SCHEMA, entities: [], migrations: MIGRATIONS, databaseUrl: other.url, dataDir };
      const resolved = await resolveDatabase(options);
      let started = false;
      const replica = initializeMigrated(resolved.options, SCHEMA, false).then((dataSource) => {
        started = true;
        return dataSource;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(started).toBe(false);

      await migrateSchema(options);
      const dataSource = await replica;
      expect(await dataSource.query(`SELECT count(*)::int AS parcels FROM "${SCHEMA}"."parcel"`)).toEqual([{ parcels: 0 }]);
      await dataSource.destroy();
    } finally {
      await other.drop();
    }
  });
});

describe('schema migrations on the embedded PGlite', () => {
  it('migrates under the advisory lock on its single connection, and a second run finds nothing to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'migrations-pglite-'));
    const options = { schema: SCHEMA, entities: [], migrations: MIGRATIONS, dataDir };
    await migrateSchema(options);
    await migrateSchema(options);

    const resolved = await resolveDatabase(options);
    try {
      const dataSource = await initializeMigrated(resolved.options, SCHEMA, true);
      expect(await dataSource.query(`SELECT name FROM "${SCHEMA}"."migrations" ORDER BY id`)).toEqual([
        { name: 'CreateParcel1764000000001' },
        { name: 'AddParcelLabel1764000000002' },
      ]);
      await dataSource.destroy();
    } finally {
      await resolved.embedded?.stop();
    }
  });
});
