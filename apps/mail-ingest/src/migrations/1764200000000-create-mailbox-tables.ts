import { schemaOf } from '@ensoras/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each mailbox's import stands, and the mail that could not be turned into an event. */
export class CreateMailboxTables1764200000000 implements MigrationInterface {
  name = 'CreateMailboxTables1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."mailbox_checkpoint" (
        "project_id" text NOT NULL,
        "mailbox" text NOT NULL,
        "uid_validity" text NOT NULL,
        "last_uid" bigint NOT NULL DEFAULT 0,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("project_id", "mailbox")
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."quarantined_mail" (
        "project_id" text NOT NULL,
        "uid_validity" text NOT NULL,
        "uid" bigint NOT NULL,
        "reason" text NOT NULL,
        "raw_object_key" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("project_id", "uid_validity", "uid")
      )`);
    await queryRunner.query(
      `CREATE INDEX "quarantined_mail_by_project" ON "${schema}"."quarantined_mail" ("project_id", "created_at" DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."quarantined_mail"`);
    await queryRunner.query(`DROP TABLE "${schema}"."mailbox_checkpoint"`);
  }
}
