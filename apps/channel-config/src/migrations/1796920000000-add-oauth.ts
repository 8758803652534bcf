import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * OAuth2 for mailboxes. Each direction says whether it logs in with a provider's access token (null: the password,
 * as every channel did before). The grants (refresh tokens, sealed), the consents in flight (state hash, sealed PKCE
 * verifier, 10 minutes) and the projects' own OAuth clients (secret sealed) are channel-config's alone.
 */
export class AddOAuth1796920000000 implements MigrationInterface {
  name = 'AddOAuth1796920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        ADD COLUMN "imap_oauth_provider" text,
        ADD COLUMN "smtp_oauth_provider" text,
        ADD CONSTRAINT "email_channel_imap_oauth_provider" CHECK ("imap_oauth_provider" IN ('google', 'microsoft')),
        ADD CONSTRAINT "email_channel_smtp_oauth_provider" CHECK ("smtp_oauth_provider" IN ('google', 'microsoft'))`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."oauth_grant" (
        "project_id" text NOT NULL,
        "provider" text NOT NULL CHECK ("provider" IN ('google', 'microsoft')),
        "account" text NOT NULL DEFAULT '',
        "client_id" text NOT NULL,
        "client_source" text NOT NULL CHECK ("client_source" IN ('deployment', 'project')),
        "refresh_token_sealed" text NOT NULL,
        "access_token_sealed" text,
        "access_token_expires_at" timestamptz,
        "token_version" integer NOT NULL DEFAULT 0,
        "connected_at" timestamptz NOT NULL,
        "last_refresh_at" timestamptz,
        "last_error" text,
        "refresh_failures" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "refresh_claimed_until" timestamptz,
        "revoked_at" timestamptz,
        PRIMARY KEY ("project_id", "provider")
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."oauth_authorization" (
        "state_hash" text PRIMARY KEY,
        "project_id" text NOT NULL,
        "provider" text NOT NULL,
        "client_id" text NOT NULL,
        "client_source" text NOT NULL,
        "code_verifier_sealed" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "oauth_authorization_expires_at" ON "${schema}"."oauth_authorization" ("expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."oauth_client" (
        "project_id" text NOT NULL,
        "provider" text NOT NULL CHECK ("provider" IN ('google', 'microsoft')),
        "client_id" text NOT NULL,
        "client_secret_sealed" text NOT NULL,
        "updated_at" timestamptz NOT NULL,
        PRIMARY KEY ("project_id", "provider")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."oauth_client"`);
    await queryRunner.query(`DROP TABLE "${schema}"."oauth_authorization"`);
    await queryRunner.query(`DROP TABLE "${schema}"."oauth_grant"`);
    await queryRunner.query(`
      ALTER TABLE "${schema}"."email_channel"
        DROP CONSTRAINT "email_channel_smtp_oauth_provider",
        DROP CONSTRAINT "email_channel_imap_oauth_provider",
        DROP COLUMN "smtp_oauth_provider",
        DROP COLUMN "imap_oauth_provider"`);
  }
}
