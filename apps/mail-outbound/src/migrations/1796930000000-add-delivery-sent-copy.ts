import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * The copy of each sent reply in the mailbox's Sent folder: its state, the bytes sent (kept while pending), attempts,
 * when it is due, the lease of the replica appending it, and why it was skipped or failed. Mail sent before stays
 * without a copy (null): nobody kept its bytes. The partial index serves the sweep for due copies. The states repeat
 * SENT_COPY_STATES.
 */
export class AddDeliverySentCopy1796930000000 implements MigrationInterface {
  name = 'AddDeliverySentCopy1796930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."delivery"
        ADD COLUMN "sent_copy" text CHECK ("sent_copy" IN ('pending', 'appended', 'skipped', 'failed')),
        ADD COLUMN "sent_copy_raw" bytea,
        ADD COLUMN "sent_copy_attempts" int NOT NULL DEFAULT 0,
        ADD COLUMN "sent_copy_next_at" timestamptz,
        ADD COLUMN "sent_copy_lease_until" timestamptz,
        ADD COLUMN "sent_copy_claim" text,
        ADD COLUMN "sent_copy_detail" text,
        ADD COLUMN "sent_copy_settled_at" timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "delivery_sent_copy_due" ON "${schema}"."delivery" ("sent_copy_next_at") WHERE "sent_copy" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX "${schema}"."delivery_sent_copy_due"`);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."delivery"
        DROP COLUMN "sent_copy_settled_at",
        DROP COLUMN "sent_copy_detail",
        DROP COLUMN "sent_copy_claim",
        DROP COLUMN "sent_copy_lease_until",
        DROP COLUMN "sent_copy_next_at",
        DROP COLUMN "sent_copy_attempts",
        DROP COLUMN "sent_copy_raw",
        DROP COLUMN "sent_copy"`);
  }
}
