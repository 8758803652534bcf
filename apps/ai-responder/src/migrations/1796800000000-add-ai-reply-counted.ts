import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * An AI reply stops counting toward its ticket's and its address's loop limits when an agent gives the ticket back
 * to the AI or closes it: the agent has looked at the conversation, and the AI starts afresh. The project's hourly
 * cap, which limits cost, still counts it.
 */
export class AddAiReplyCounted1796800000000 implements MigrationInterface {
  name = 'AddAiReplyCounted1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ai_reply" ADD COLUMN "counted" boolean NOT NULL DEFAULT true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schemaOf(queryRunner)}"."ai_reply" DROP COLUMN "counted"`);
  }
}
