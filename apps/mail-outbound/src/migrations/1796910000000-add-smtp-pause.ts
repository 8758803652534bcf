import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Mail held instead of failed while a project's SMTP cannot log in: the delivery row keeps the send request
 * (`request`, until it is settled), the rejected logins it met and when it may be tried again; the partial index
 * finds the parked mail of a ticket (its later replies wait behind it); the status `held` joins the allowed ones.
 * `smtp_login_state` counts a project's
 * rejected logins per settings revision and says when sending paused.
 */
export class AddSmtpPause1796910000000 implements MigrationInterface {
  name = 'AddSmtpPause1796910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."delivery"
        ADD COLUMN "request" jsonb NULL,
        ADD COLUMN "auth_failures" int NOT NULL DEFAULT 0,
        ADD COLUMN "retry_at" timestamptz NULL,
        DROP CONSTRAINT "delivery_status_check",
        ADD CONSTRAINT "delivery_status_check" CHECK ("status" IN ('queued', 'sending', 'retrying', 'held', 'sent', 'failed'))`);
    await queryRunner.query(
      `CREATE INDEX "delivery_parked_by_ticket" ON "${schema}"."delivery" ("project_id", "ticket_id", "created_at") WHERE "request" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."smtp_login_state" (
        "project_id" text PRIMARY KEY,
        "revision" int NOT NULL,
        "failures" int NOT NULL,
        "reason" text NULL,
        "paused_at" timestamptz NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."smtp_login_state"`);
    await queryRunner.query(`DROP INDEX "${schema}"."delivery_parked_by_ticket"`);
    // Held mail goes back in line for its redelivery-less fate: queued (a replayed request sends it).
    await queryRunner.query(`UPDATE "${schema}"."delivery" SET "status" = 'queued' WHERE "status" = 'held'`);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."delivery"
        DROP CONSTRAINT "delivery_status_check",
        ADD CONSTRAINT "delivery_status_check" CHECK ("status" IN ('queued', 'sending', 'retrying', 'sent', 'failed')),
        DROP COLUMN "retry_at", DROP COLUMN "auth_failures", DROP COLUMN "request"`);
  }
}
