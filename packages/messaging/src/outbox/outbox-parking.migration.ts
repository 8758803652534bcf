import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './messaging-tables.migration.js';

/**
 * Lets the relay move a row it cannot publish aside (`parked_at`) and wait between tries (`next_attempt_at`).
 * Every service lists this migration after its own existing ones.
 */
export class AddOutboxParking1796000000000 implements MigrationInterface {
  name = 'AddOutboxParking1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."outbox_message"
        ADD COLUMN "parked_at" timestamptz,
        ADD COLUMN "next_attempt_at" timestamptz`);
    await queryRunner.query(`DROP INDEX "${schema}"."outbox_message_unpublished"`);
    await queryRunner.query(
      `CREATE INDEX "outbox_message_pending" ON "${schema}"."outbox_message" ("position") WHERE "published_at" IS NULL AND "parked_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "outbox_message_parked" ON "${schema}"."outbox_message" ("position") WHERE "published_at" IS NULL AND "parked_at" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX "${schema}"."outbox_message_parked"`);
    await queryRunner.query(`DROP INDEX "${schema}"."outbox_message_pending"`);
    await queryRunner.query(
      `CREATE INDEX "outbox_message_unpublished" ON "${schema}"."outbox_message" ("position") WHERE "published_at" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "${schema}"."outbox_message" DROP COLUMN "next_attempt_at", DROP COLUMN "parked_at"`);
  }
}
