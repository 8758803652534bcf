import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** Why the AI gave a ticket to a human, so the ticket itself says so. */
export class AddHandoffReason1796200000000 implements MigrationInterface {
  name = 'AddHandoffReason1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ticket" ADD COLUMN "handoff_reason" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ticket" DROP COLUMN "handoff_reason"`);
  }
}
