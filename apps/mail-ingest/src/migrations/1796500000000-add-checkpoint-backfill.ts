import { schemaOf } from '@ensoras/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A mailbox's history is imported beside its new mail: the checkpoint keeps a second position, how far the history
 * below the point where watching began is imported. Both null once the history is done (or there was none).
 */
export class AddCheckpointBackfill1796500000000 implements MigrationInterface {
  name = 'AddCheckpointBackfill1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."mailbox_checkpoint"
        ADD COLUMN "backfill_uid" bigint NULL,
        ADD COLUMN "backfill_end" bigint NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."mailbox_checkpoint" DROP COLUMN "backfill_end", DROP COLUMN "backfill_uid"`);
  }
}
