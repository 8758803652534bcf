import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * SentFolderSettings.append: whether mail-outbound copies each sent reply to the mailbox's Sent folder. Channels
 * configured before get what a PUT without it stores, DEFAULT_SENT_FOLDER (append).
 */
export class AddChannelSentFolder1796930000000 implements MigrationInterface {
  name = 'AddChannelSentFolder1796930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" ADD COLUMN "sent_folder_append" boolean NOT NULL DEFAULT true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" DROP COLUMN "sent_folder_append"`);
  }
}
