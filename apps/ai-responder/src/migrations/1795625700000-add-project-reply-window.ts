import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/** The project-wide cap counts the AI replies of a project in the last hour. */
export class AddProjectReplyWindow1795625700000 implements MigrationInterface {
  name = 'AddProjectReplyWindow1795625700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ai_reply_project_window" ON "${schemaOf(queryRunner)}"."ai_reply" ("project_id", "proposed_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${schemaOf(queryRunner)}"."ai_reply_project_window"`);
  }
}
