import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * The conversation keeps the new part of each message (what the prompt shows); the loop breaker records the AI
 * replies it let through and the tickets handed to a human; a pending response remembers whom it answers.
 */
export class AddNewTextAndLoopBreaker1795625400000 implements MigrationInterface {
  name = 'AddNewTextAndLoopBreaker1795625400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    // Null for messages recorded before: their new part is then cut from the text as before.
    await queryRunner.query(`ALTER TABLE "${schema}"."conversation_message" ADD COLUMN "new_text" text`);
    await queryRunner.query(`ALTER TABLE "${schema}"."pending_response" ADD COLUMN "customer_address" text`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."ai_reply" (
        "response_id" uuid PRIMARY KEY,
        "project_id" text NOT NULL,
        "ticket_id" text NOT NULL,
        "customer_address" text NOT NULL DEFAULT '',
        "proposed_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // The loop breaker counts replies of a window, per ticket and per customer address.
    await queryRunner.query(`CREATE INDEX "ai_reply_ticket_window" ON "${schema}"."ai_reply" ("project_id", "ticket_id", "proposed_at")`);
    await queryRunner.query(`CREATE INDEX "ai_reply_address_window" ON "${schema}"."ai_reply" ("project_id", "customer_address", "proposed_at")`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."handed_off_ticket" (
        "project_id" text NOT NULL,
        "ticket_id" text NOT NULL,
        "reason" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("project_id", "ticket_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."handed_off_ticket"`);
    await queryRunner.query(`DROP TABLE "${schema}"."ai_reply"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."pending_response" DROP COLUMN "customer_address"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."conversation_message" DROP COLUMN "new_text"`);
  }
}
