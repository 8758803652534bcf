import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Threading by subject looks tickets up by a hash of customer address and subject key (subjectThreadHash) instead of
 * the values themselves: a btree entry holds at most about 2.7 KB, so a long subject or address failed the insert.
 */
export class AddSubjectThreadHash1795625600000 implements MigrationInterface {
  name = 'AddSubjectThreadHash1795625600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket" ADD COLUMN "subject_thread_hash" text`);
    // The same as subjectThreadHash in code.
    await queryRunner.query(
      `UPDATE "${schema}"."ticket"
          SET "subject_thread_hash" = encode(sha256(convert_to("customer_address" || E'\\n' || "subject_key", 'UTF8')), 'hex')
        WHERE "subject_key" IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "${schema}"."ticket_subject_thread"`);
    await queryRunner.query(
      `CREATE INDEX "ticket_subject_thread" ON "${schema}"."ticket" ("project_id", "subject_thread_hash", "updated_at" DESC) WHERE "subject_thread_hash" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX "${schema}"."ticket_subject_thread"`);
    await queryRunner.query(`ALTER TABLE "${schema}"."ticket" DROP COLUMN "subject_thread_hash"`);
    await queryRunner.query(
      `CREATE INDEX "ticket_subject_thread" ON "${schema}"."ticket" ("project_id", "customer_address", "subject_key", "updated_at" DESC) WHERE "subject_key" IS NOT NULL`,
    );
  }
}
