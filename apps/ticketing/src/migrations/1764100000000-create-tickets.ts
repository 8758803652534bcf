import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** Tickets, their messages and the threading index. */
export class CreateTickets1764100000000 implements MigrationInterface {
  name = 'CreateTickets1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."ticket" (
        "id" uuid PRIMARY KEY,
        "project_id" text NOT NULL,
        "subject" text NOT NULL,
        "subject_key" text,
        "customer_address" text NOT NULL,
        "customer_name" text NOT NULL DEFAULT '',
        "status" text NOT NULL CONSTRAINT "ticket_status_known" CHECK ("status" IN ('open', 'answered', 'handed_off', 'closed')),
        "message_count" int NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    // The inbox lists newest first with a (created_at, id) cursor.
    await queryRunner.query(
      `CREATE INDEX "ticket_project_newest" ON "${schema}"."ticket" ("project_id", "created_at" DESC, "id" DESC)`,
    );
    // Threading by subject: same project, customer and subject key, most recently updated.
    await queryRunner.query(
      `CREATE INDEX "ticket_subject_thread" ON "${schema}"."ticket" ("project_id", "customer_address", "subject_key", "updated_at" DESC) WHERE "subject_key" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."ticket_message" (
        "id" uuid PRIMARY KEY,
        "ticket_id" uuid NOT NULL REFERENCES "${schema}"."ticket" ("id"),
        "project_id" text NOT NULL,
        "direction" text NOT NULL CHECK ("direction" IN ('inbound', 'outbound')),
        "author" text NOT NULL CHECK ("author" IN ('customer', 'ai', 'agent')),
        "from" jsonb,
        "to" jsonb NOT NULL DEFAULT '[]',
        "cc" jsonb NOT NULL DEFAULT '[]',
        "reply_to" jsonb NOT NULL DEFAULT '[]',
        "subject" text NOT NULL,
        "text" text NOT NULL,
        "html" text,
        "message_id" text NOT NULL,
        "in_reply_to" text,
        "references" jsonb NOT NULL DEFAULT '[]',
        "delivery_status" text NOT NULL CHECK ("delivery_status" IN ('received', 'queued', 'sent', 'failed', 'bounced')),
        "delivery_note" text,
        "kind" text NOT NULL,
        "kind_reasons" jsonb NOT NULL DEFAULT '[]',
        "response_id" text,
        "raw_object_key" text,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "ticket_message_project_message_id" UNIQUE ("project_id", "message_id"),
        CONSTRAINT "ticket_message_response_id" UNIQUE ("response_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "ticket_message_ticket_order" ON "${schema}"."ticket_message" ("ticket_id", "created_at", "id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."thread_reference" (
        "project_id" text NOT NULL,
        "message_id" text NOT NULL,
        "ticket_id" uuid NOT NULL REFERENCES "${schema}"."ticket" ("id"),
        "created_at" timestamptz NOT NULL,
        PRIMARY KEY ("project_id", "message_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."thread_reference"`);
    await queryRunner.query(`DROP TABLE "${schema}"."ticket_message"`);
    await queryRunner.query(`DROP TABLE "${schema}"."ticket"`);
  }
}
