import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Per direction, the pause mail-ingest (imap) or mail-outbound (smtp) reported with channel.email.paused: a
 * DirectionPause (reason, pausedAt, revision, failures), null while the direction is not paused. Cleared by every new
 * revision of the project's settings.
 */
export class AddChannelPauses1796910000000 implements MigrationInterface {
  name = 'AddChannelPauses1796910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" ADD COLUMN "imap_pause" jsonb NULL, ADD COLUMN "smtp_pause" jsonb NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" DROP COLUMN "smtp_pause", DROP COLUMN "imap_pause"`);
  }
}
