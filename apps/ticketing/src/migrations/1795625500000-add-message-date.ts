import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** When the sender wrote a received mail (its Date header), so that old mail can be told from new. */
export class AddMessageDate1795625500000 implements MigrationInterface {
  name = 'AddMessageDate1795625500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ticket_message" ADD COLUMN "date" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ticket_message" DROP COLUMN "date"`);
  }
}
