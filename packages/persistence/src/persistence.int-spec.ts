import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@ensoras/testing';
import { resolveDatabase } from './database-options.js';

@Entity({ name: 'note' })
class Note {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') body!: string;
}

class CreateNote1764000000001 implements MigrationInterface {
  name = 'CreateNote1764000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "notes_area"."note" ("id" uuid PRIMARY KEY, "body" text NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notes_area"."note"`);
  }
}

async function open(databaseUrl: string | undefined, dataDir: string) {
  const resolved = await resolveDatabase({
    schema: 'notes_area',
    entities: [Note],
    migrations: [CreateNote1764000000001],
    databaseUrl,
    dataDir,
  });
  const dataSource = await new DataSource(resolved.options).initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await resolved.embedded?.stop();
    },
  };
}

describe.each([
  ['embedded PGlite', false],
  ['PostgreSQL', true],
])('persistence on %s', (_name, usePostgres) => {
  let database: TestDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'persistence-'));

  beforeAll(async () => {
    if (usePostgres) database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('migrates into the service schema, keeps data across a restart, and never migrates twice', async () => {
    const first = await open(database?.url, dataDir);
    const id = '6f1d1c3e-7a8b-4c2d-9e0f-123456789abc';
    await first.dataSource.getRepository(Note).insert({ id, body: 'kept' });
    const generated = await first.dataSource.query(`SELECT gen_random_uuid() AS id`);
    expect(generated[0].id).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();

    const second = await open(database?.url, dataDir);
    expect(await second.dataSource.getRepository(Note).findOneBy({ id })).toMatchObject({ body: 'kept' });
    const migrations = await second.dataSource.query(`SELECT name FROM "notes_area"."migrations"`);
    expect(migrations).toEqual([{ name: 'CreateNote1764000000001' }]);
    await second.close();
  });
});
