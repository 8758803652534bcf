import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * A knowledge base per project: the articles as given, and the passages they are cut into, each with a text search
 * vector in its article's language (built-in PostgreSQL text search only: no extension, so PGlite serves it too).
 */
export class CreateKnowledgeBase1796600000000 implements MigrationInterface {
  name = 'CreateKnowledgeBase1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."knowledge_article" (
        "project_id" text NOT NULL,
        "article_id" text NOT NULL,
        "title" text NOT NULL,
        "body" text NOT NULL,
        "body_format" text NOT NULL CHECK ("body_format" IN ('markdown', 'html')),
        "language" text NOT NULL,
        "tags" text[] NOT NULL DEFAULT '{}',
        "url" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("project_id", "article_id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."knowledge_passage" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "project_id" text NOT NULL,
        "article_id" text NOT NULL,
        "position" int NOT NULL,
        "heading" text,
        "text" text NOT NULL,
        "language" text NOT NULL,
        "search_config" text NOT NULL,
        "search_vector" tsvector NOT NULL,
        FOREIGN KEY ("project_id", "article_id") REFERENCES "${schema}"."knowledge_article" ("project_id", "article_id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "knowledge_passage_article" ON "${schema}"."knowledge_passage" ("project_id", "article_id", "position")`,
    );
    // Which configurations a project's passages use: looked up before every search.
    await queryRunner.query(`CREATE INDEX "knowledge_passage_config" ON "${schema}"."knowledge_passage" ("project_id", "search_config")`);
    await queryRunner.query(`CREATE INDEX "knowledge_passage_search" ON "${schema}"."knowledge_passage" USING gin ("search_vector")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."knowledge_passage"`);
    await queryRunner.query(`DROP TABLE "${schema}"."knowledge_article"`);
  }
}
