import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and inbox tables, created in the service's own schema. Every service lists this migration first. */
export class CreateMessagingTables1764000000000 implements MigrationInterface {
  name = 'CreateMessagingTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."outbox_message" (
        "id" uuid PRIMARY KEY,
        "position" bigint GENERATED ALWAYS AS IDENTITY,
        "subject" text NOT NULL,
        "envelope" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz,
        "attempts" int NOT NULL DEFAULT 0,
        "last_error" text
      )`);
    await queryRunner.query(
      `CREATE INDEX "outbox_message_unpublished" ON "${schema}"."outbox_message" ("position") WHERE "published_at" IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."processed_event" (
        "consumer" text NOT NULL,
        "event_id" text NOT NULL,
        "processed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("consumer", "event_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."processed_event"`);
    await queryRunner.query(`DROP TABLE "${schema}"."outbox_message"`);
  }
}

export function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('Each service runs in a schema of its own; the data source has none');
  return schema;
}
