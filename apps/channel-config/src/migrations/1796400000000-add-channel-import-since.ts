import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * How much of a mailbox's history is imported (ImportSettings.since; NULL: all of it). Channels configured before
 * get what a new channel gets, the last 14 days (DEFAULT_IMPORT_DAYS): the setting only matters to a mailbox that
 * was never read, and one configured but not yet enabled should not import more than a new one would.
 */
export class AddChannelImportSince1796400000000 implements MigrationInterface {
  name = 'AddChannelImportSince1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" ADD COLUMN "import_since" timestamptz NULL`);
    await queryRunner.query(
      `UPDATE "${schema}"."email_channel" SET "import_since" = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '14 days'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."email_channel" DROP COLUMN "import_since"`);
  }
}
