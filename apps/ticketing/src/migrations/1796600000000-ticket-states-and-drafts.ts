import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Issue 9: `handed_off` becomes `needs_human` (existing rows renamed) and a ticket may be `draft_ready`; an outgoing
 * message may be a `draft` or `discarded`, and keeps the knowledge articles (`sources`) its reply was written from.
 * The inbox filters by status with an index of its own: the newest-first index served `status = …` only by walking a
 * project's tickets until a page matched, every ticket of a big project for a status that few have.
 */
export class TicketStatesAndDrafts1796600000000 implements MigrationInterface {
  name = 'TicketStatesAndDrafts1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket" DROP CONSTRAINT "ticket_status_known"`);
    await queryRunner.query(`UPDATE "${schema}"."ticket" SET "status" = 'needs_human' WHERE "status" = 'handed_off'`);
    await queryRunner.query(
      `ALTER TABLE "${schema}"."ticket" ADD CONSTRAINT "ticket_status_known" CHECK ("status" IN ('open', 'answered', 'draft_ready', 'needs_human', 'closed'))`,
    );

    await dropDeliveryStatusChecks(queryRunner, schema);
    await queryRunner.query(
      `ALTER TABLE "${schema}"."ticket_message" ADD CONSTRAINT "ticket_message_delivery_status_known"
         CHECK ("delivery_status" IN ('received', 'draft', 'discarded', 'queued', 'sent', 'failed', 'bounced'))`,
    );
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" ADD COLUMN "sources" jsonb NOT NULL DEFAULT '[]'`);

    // `?status=a,b`: one index range per status, newest first within each.
    await queryRunner.query(
      `CREATE INDEX "ticket_project_status_newest" ON "${schema}"."ticket" ("project_id", "status", "created_at" DESC, "id" DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX "${schema}"."ticket_project_status_newest"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP COLUMN "sources"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP CONSTRAINT "ticket_message_delivery_status_known"`);
    // Drafts were never sent: the nearest the old states have is a reply that did not go out.
    await queryRunner.query(
      `UPDATE "${schema}"."ticket_message" SET "delivery_status" = 'failed', "delivery_note" = 'An AI draft that was not sent (' || "delivery_status" || ')'
        WHERE "delivery_status" IN ('draft', 'discarded')`,
    );
    await queryRunner.query(
      `ALTER TABLE "${schema}"."ticket_message" ADD CONSTRAINT "ticket_message_delivery_status_check"
         CHECK ("delivery_status" IN ('received', 'queued', 'sent', 'failed', 'bounced'))`,
    );
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket" DROP CONSTRAINT "ticket_status_known"`);
    await queryRunner.query(`UPDATE "${schema}"."ticket" SET "status" = 'handed_off' WHERE "status" = 'needs_human'`);
    await queryRunner.query(`UPDATE "${schema}"."ticket" SET "status" = 'open' WHERE "status" = 'draft_ready'`);
    await queryRunner.query(
      `ALTER TABLE "${schema}"."ticket" ADD CONSTRAINT "ticket_status_known" CHECK ("status" IN ('open', 'answered', 'handed_off', 'closed'))`,
    );
  }
}

/** The first migration declared the check inline, so PostgreSQL named it; found by what it checks. */
async function dropDeliveryStatusChecks(queryRunner: QueryRunner, schema: string): Promise<void> {
  const checks = (await queryRunner.query(
    `SELECT c.conname AS name
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = 'ticket_message' AND c.contype = 'c'
        AND pg_get_constraintdef(c.oid) LIKE '%delivery_status%'`,
    [schema],
  )) as Array<{ name: string }>;
  for (const { name } of checks) await queryRunner.query(`ALTER TABLE "${schema}"."ticket_message" DROP CONSTRAINT "${name}"`);
}
