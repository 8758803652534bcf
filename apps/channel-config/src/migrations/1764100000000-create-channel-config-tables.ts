import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * project: the per-project revision and communication style; email_channel: one row per configured channel, its
 * passwords sealed (AES-256-GCM); audit_entry: who-changed-what without values. CHECKs repeat the API's rules so
 * that no other path can store an impossible channel.
 */
export class CreateChannelConfigTables1764100000000 implements MigrationInterface {
  name = 'CreateChannelConfigTables1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."project" (
        "project_id" text PRIMARY KEY,
        "revision" int NOT NULL DEFAULT 0,
        "communication_style" text NOT NULL DEFAULT '',
        "configuration_updated_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."email_channel" (
        "project_id" text PRIMARY KEY REFERENCES "${schema}"."project" ("project_id"),
        "enabled" boolean NOT NULL DEFAULT false,
        "imap_host" text NOT NULL,
        "imap_port" int NOT NULL CHECK ("imap_port" BETWEEN 1 AND 65535),
        "imap_encryption" text NOT NULL CHECK ("imap_encryption" IN ('starttls', 'tcp', 'ssl', 'tls')),
        "imap_username" text NOT NULL,
        "imap_password_sealed" text NOT NULL,
        "imap_validate_certificate" boolean NOT NULL,
        "imap_mark_as_read" boolean NOT NULL,
        "smtp_host" text NOT NULL,
        "smtp_port" int NOT NULL CHECK ("smtp_port" BETWEEN 1 AND 65535),
        "smtp_encryption" text NOT NULL CHECK ("smtp_encryption" IN ('none', 'tls', 'ssl')),
        "smtp_username" text NOT NULL,
        "smtp_password_sealed" text NOT NULL,
        "smtp_validate_certificate" boolean NOT NULL,
        "from_email" text NOT NULL,
        "from_name" text NOT NULL,
        "signature_html" text NOT NULL,
        "guidelines" text NOT NULL,
        "response_delay_min_seconds" int NOT NULL,
        "response_delay_max_seconds" int NOT NULL,
        "last_connection_test" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "email_channel_response_delay" CHECK (
          "response_delay_min_seconds" BETWEEN 0 AND 172800
          AND "response_delay_max_seconds" BETWEEN 0 AND 172800
          AND "response_delay_min_seconds" <= "response_delay_max_seconds"
        )
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."audit_entry" (
        "id" uuid PRIMARY KEY,
        "project_id" text NOT NULL,
        "action" text NOT NULL,
        "changed_fields" text[] NOT NULL,
        "revision" int NOT NULL,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "audit_entry_project_at" ON "${schema}"."audit_entry" ("project_id", "at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."audit_entry"`);
    await queryRunner.query(`DROP TABLE "${schema}"."email_channel"`);
    await queryRunner.query(`DROP TABLE "${schema}"."project"`);
  }
}
