import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BodyFormat } from './article-text.js';

/** An article of a project's knowledge base, as the admin gave it; retrieval reads its passages. */
@Entity({ name: 'knowledge_article' })
export class KnowledgeArticle {
  @PrimaryColumn('text', { name: 'project_id' }) projectId!: string;
  /** The admin's own id for it (a slug); ARTICLE_ID_PATTERN. */
  @PrimaryColumn('text', { name: 'article_id' }) articleId!: string;
  @Column('text') title!: string;
  /** Markdown or HTML, as given. */
  @Column('text') body!: string;
  /** How the body was read (detectBodyFormat). */
  @Column('text', { name: 'body_format' }) bodyFormat!: BodyFormat;
  /** ISO 639-1. */
  @Column('text') language!: string;
  @Column('text', { array: true, default: () => `'{}'` }) tags!: string[];
  @Column('text', { nullable: true }) url!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
