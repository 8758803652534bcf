import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@ensoras/messaging';

/**
 * Passages keep an embedding (AI_EMBEDDINGS_MODEL, when set) and the model that made it, for hybrid retrieval. A plain
 * `real[]`, not pgvector's `vector`: neither the embedded PostgreSQL of `npm start` nor a stock PostgreSQL 15 has that
 * extension (PGlite has it only as a module loaded at start), and a project's knowledge base (hundreds to a few thousand passages) is small enough for the
 * cosine similarity to be computed in SQL over every passage of the project, without an index. The length is whatever
 * the model returns; a query vector is only compared with passages of the same model and length. Null until the
 * passage is embedded (it is written without, and embedded after its transaction commits).
 */
export class AddPassageEmbeddings1796700000000 implements MigrationInterface {
  name = 'AddPassageEmbeddings1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."knowledge_passage" ADD COLUMN "embedding" real[], ADD COLUMN "embedding_model" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE "${schema}"."knowledge_passage" DROP COLUMN "embedding_model", DROP COLUMN "embedding"`);
  }
}
