import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * api_token: the scoped API tokens, by the SHA-256 of their secret (never the secret); a name is unique among the
 * active ones. audit_entry gains who made each change. Before this, only the ADMIN_TOKEN could change anything, so
 * earlier entries are the admin's, except the re-sealing of passwords that the service does by itself at start.
 */
export class AddApiTokensAndAuditActor1796900000000 implements MigrationInterface {
  name = 'AddApiTokensAndAuditActor1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."api_token" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL CHECK (length("name") BETWEEN 1 AND 100),
        "token_hash" text NOT NULL UNIQUE CHECK ("token_hash" ~ '^[0-9a-f]{64}$'),
        "all_projects" boolean NOT NULL,
        "projects" text[] NOT NULL,
        "scopes" text[] NOT NULL CHECK (cardinality("scopes") > 0),
        "created_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        CONSTRAINT "api_token_projects" CHECK ("all_projects" OR cardinality("projects") > 0)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "api_token_active_name" ON "${schema}"."api_token" ("name") WHERE "revoked_at" IS NULL`);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."audit_entry"
        ADD COLUMN "actor_kind" text NOT NULL DEFAULT 'system',
        ADD COLUMN "actor_id" text,
        ADD COLUMN "actor_name" text,
        ADD CONSTRAINT "audit_entry_actor" CHECK (
          ("actor_kind" IN ('admin', 'system') AND "actor_id" IS NULL AND "actor_name" IS NULL)
          OR ("actor_kind" = 'token' AND "actor_id" IS NOT NULL AND "actor_name" IS NOT NULL)
        )`);
    await queryRunner.query(`UPDATE "${schema}"."audit_entry" SET "actor_kind" = 'admin' WHERE "action" <> 'email_channel.passwords_resealed'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."audit_entry"
        DROP CONSTRAINT "audit_entry_actor",
        DROP COLUMN "actor_name",
        DROP COLUMN "actor_id",
        DROP COLUMN "actor_kind"`);
    await queryRunner.query(`DROP TABLE "${schema}"."api_token"`);
  }
}
