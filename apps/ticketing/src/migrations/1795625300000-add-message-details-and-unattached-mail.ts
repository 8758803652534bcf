import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Ticket messages gain the new part of a reply, their attachments' metadata and an agent note; machine mail and our
 * own mail that continue no ticket are kept in a table of their own instead of opening tickets.
 */
export class AddMessageDetailsAndUnattachedMail1795625300000 implements MigrationInterface {
  name = 'AddMessageDetailsAndUnattachedMail1795625300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" ADD COLUMN "new_text" text`);
    // Messages recorded before this have no separate new part: their whole text is the best there is.
    await queryRunner.query(`UPDATE "${schema}"."ticket_message" SET "new_text" = "text"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" ALTER COLUMN "new_text" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" ADD COLUMN "attachments" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" ADD COLUMN "note" text`);

    await queryRunner.query(`
      CREATE TABLE "${schema}"."unattached_mail" (
        "id" uuid PRIMARY KEY,
        "project_id" text NOT NULL,
        "message_id" text NOT NULL,
        "kind" text NOT NULL,
        "kind_reasons" jsonb NOT NULL DEFAULT '[]',
        "reason" text NOT NULL,
        "from" jsonb,
        "to" jsonb NOT NULL DEFAULT '[]',
        "subject" text NOT NULL,
        "text" text NOT NULL,
        "bounce" jsonb,
        "raw_object_key" text,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "unattached_mail_project_message_id" UNIQUE ("project_id", "message_id")
      )`);
    // Listed newest first with a (created_at, id) cursor, like the inbox.
    await queryRunner.query(
      `CREATE INDEX "unattached_mail_project_newest" ON "${schema}"."unattached_mail" ("project_id", "created_at" DESC, "id" DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."unattached_mail"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP COLUMN "note"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP COLUMN "attachments"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP COLUMN "new_text"`);
  }
}
