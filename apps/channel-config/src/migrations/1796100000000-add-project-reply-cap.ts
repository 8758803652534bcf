import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * The project-wide cap on AI replies per hour (ChannelSafety.maxAiRepliesPerHour). Channels configured before get
 * the product default (300), the value a PUT without it stores; the bounds repeat those of ChannelSafetyDto.
 */
export class AddProjectReplyCap1796100000000 implements MigrationInterface {
  name = 'AddProjectReplyCap1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        ADD COLUMN "max_ai_replies_per_hour" int NOT NULL DEFAULT 300,
        ADD CONSTRAINT "email_channel_reply_cap" CHECK ("max_ai_replies_per_hour" BETWEEN 1 AND 100000)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        DROP CONSTRAINT "email_channel_reply_cap",
        DROP COLUMN "max_ai_replies_per_hour"`);
  }
}
