import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * The channel's AI mode (`auto`, `draft`, `off`) and what the customer is told when the AI hands a ticket to a
 * human (HandoffSettings). Channels configured before get what a PUT without them stores, DEFAULT_AI_MODE and
 * DEFAULT_HANDOFF: the AI answers as it did, and a handoff sends nothing. The allowed modes repeat AI_MODES.
 */
export class AddChannelAiModeAndHandoff1796600000000 implements MigrationInterface {
  name = 'AddChannelAiModeAndHandoff1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        ADD COLUMN "ai_mode" text NOT NULL DEFAULT 'auto',
        ADD COLUMN "handoff_acknowledge" boolean NOT NULL DEFAULT false,
        ADD COLUMN "handoff_text" text NOT NULL
          DEFAULT 'Thank you for your message. A member of our team will get back to you shortly.',
        ADD CONSTRAINT "email_channel_ai_mode" CHECK ("ai_mode" IN ('auto', 'draft', 'off'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        DROP CONSTRAINT "email_channel_ai_mode",
        DROP COLUMN "handoff_text",
        DROP COLUMN "handoff_acknowledge",
        DROP COLUMN "ai_mode"`);
  }
}
