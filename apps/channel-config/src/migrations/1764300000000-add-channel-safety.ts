import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * The channel's safety limits (size limit and loop breaker). Channels configured before this migration get the
 * product defaults (DEFAULT_CHANNEL_SAFETY), the same values a PUT without `safety` stores. The bounds repeat
 * those of ChannelSafetyDto, so a row can never hold what the API would refuse.
 */
export class AddChannelSafety1764300000000 implements MigrationInterface {
  name = 'AddChannelSafety1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        ADD COLUMN "max_message_size_mb" int NOT NULL DEFAULT 25,
        ADD COLUMN "max_ai_replies_per_ticket" int NOT NULL DEFAULT 3,
        ADD COLUMN "max_ai_replies_per_address" int NOT NULL DEFAULT 5,
        ADD COLUMN "loop_window_minutes" int NOT NULL DEFAULT 60,
        ADD CONSTRAINT "email_channel_safety" CHECK (
          "max_message_size_mb" BETWEEN 1 AND 100
          AND "max_ai_replies_per_ticket" BETWEEN 1 AND 100
          AND "max_ai_replies_per_address" BETWEEN 1 AND 1000
          AND "loop_window_minutes" BETWEEN 1 AND 10080
        )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        DROP CONSTRAINT "email_channel_safety",
        DROP COLUMN "loop_window_minutes",
        DROP COLUMN "max_ai_replies_per_address",
        DROP COLUMN "max_ai_replies_per_ticket",
        DROP COLUMN "max_message_size_mb"`);
  }
}
