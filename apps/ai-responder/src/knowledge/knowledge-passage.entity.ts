import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A piece of an article that retrieval finds (passage-splitter), with the text search vector of its title
 * (weight A), heading (B) and text (D), stemmed in its language's configuration. Written only by KnowledgeStore with
 * SQL (the vector is computed by PostgreSQL); replaced whole when its article is. Its embedding is written by
 * PassageEmbedder, after the article's transaction.
 */
@Entity({ name: 'knowledge_passage' })
@Index('knowledge_passage_article', ['projectId', 'articleId', 'position'], { unique: true })
export class KnowledgePassage {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column('text', { name: 'project_id' }) projectId!: string;
  @Column('text', { name: 'article_id' }) articleId!: string;
  @Column('int') position!: number;
  @Column('text', { nullable: true }) heading!: string | null;
  @Column('text') text!: string;
  /** The article's language (ISO 639-1). */
  @Column('text') language!: string;
  /** The text search configuration the vector was made with (searchConfigOf the language). */
  @Column('text', { name: 'search_config' }) searchConfig!: string;
  @Column('tsvector', { name: 'search_vector', select: false }) searchVector!: string;
  /** Null until PassageEmbedder embeds the passage (AI_EMBEDDINGS_MODEL only); the length is the model's. */
  @Column('real', { array: true, nullable: true, select: false }) embedding!: number[] | null;
  /** The model that made `embedding`: another one's vectors are not compared with its queries, and are made again. */
  @Column('text', { name: 'embedding_model', nullable: true }) embeddingModel!: string | null;
}
