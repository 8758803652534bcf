import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * `handed_over_at`: when an attempt reached the end of DATA, so a crash before it is sent again instead of being
 * reported as uncertain. Rows left `sending` by the version before this one are marked handed over: nobody knows
 * how far those attempts got, and a duplicate is the worse mistake.
 */
export class AddDeliveryHandOver1796300000000 implements MigrationInterface {
  name = 'AddDeliveryHandOver1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."delivery" ADD COLUMN "handed_over_at" timestamptz`);
    await queryRunner.query(`UPDATE "${schema}"."delivery" SET "handed_over_at" = coalesce("claimed_at", now()) WHERE "status" = 'sending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."delivery" DROP COLUMN "handed_over_at"`);
  }
}
