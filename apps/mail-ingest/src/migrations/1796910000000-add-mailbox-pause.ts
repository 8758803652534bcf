import { schemaOf } from '@ensoras/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The last pause of each project's mailbox (MailboxPause): remembered across restarts and replicas. */
export class AddMailboxPause1796910000000 implements MigrationInterface {
  name = 'AddMailboxPause1796910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."mailbox_pause" (
        "project_id" text PRIMARY KEY,
        "revision" int NOT NULL,
        "reason" text NOT NULL,
        "failures" int NOT NULL,
        "paused_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."mailbox_pause"`);
  }
}
