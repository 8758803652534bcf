import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** The conversation read model and the pending responses with their due times. */
export class CreateConversationAndPendingResponses1764300000000 implements MigrationInterface {
  name = 'CreateConversationAndPendingResponses1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."conversation_message" (
        "project_id" text NOT NULL,
        "message_id" text NOT NULL,
        "ticket_id" text NOT NULL,
        "direction" text NOT NULL CHECK ("direction" IN ('inbound', 'outbound')),
        "author" text NOT NULL,
        "from" jsonb,
        "subject" text NOT NULL,
        "ticket_subject" text NOT NULL,
        "text" text NOT NULL,
        "kind" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "arrival" bigserial NOT NULL,
        PRIMARY KEY ("project_id", "message_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "conversation_message_ticket" ON "${schema}"."conversation_message" ("project_id", "ticket_id", "created_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."pending_response" (
        "id" uuid PRIMARY KEY,
        "project_id" text NOT NULL,
        "ticket_id" text NOT NULL,
        "answers_message_ids" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "due_at" timestamptz NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('scheduled', 'generating', 'proposed', 'cancelled', 'failed')),
        "attempts" int NOT NULL DEFAULT 0,
        "locked_until" timestamptz,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One open response per ticket: a second customer message joins it instead of causing a second reply.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "pending_response_one_open_per_ticket" ON "${schema}"."pending_response" ("project_id", "ticket_id")
        WHERE "status" IN ('scheduled', 'generating')`,
    );
    // What the due-time poller scans every second.
    await queryRunner.query(
      `CREATE INDEX "pending_response_due" ON "${schema}"."pending_response" ("due_at") WHERE "status" = 'scheduled'`,
    );
    await queryRunner.query(
      `CREATE INDEX "pending_response_lease" ON "${schema}"."pending_response" ("locked_until") WHERE "status" = 'generating'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."pending_response"`);
    await queryRunner.query(`DROP TABLE "${schema}"."conversation_message"`);
  }
}
