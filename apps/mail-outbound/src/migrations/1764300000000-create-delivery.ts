import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** The delivery table: one row per outgoing mail, keyed by ticketing's outboundMessageId. */
export class CreateDelivery1764300000000 implements MigrationInterface {
  name = 'CreateDelivery1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."delivery" (
        "outbound_message_id" text PRIMARY KEY,
        "project_id" text NOT NULL,
        "ticket_id" text NOT NULL,
        "message_id" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('queued', 'sending', 'retrying', 'sent', 'failed')),
        "attempts" int NOT NULL DEFAULT 0,
        "last_error" text,
        "failure_code" text,
        "smtp_response" text,
        "claimed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "sent_at" timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX "delivery_project_ticket" ON "${schema}"."delivery" ("project_id", "ticket_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."delivery"`);
  }
}
