import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiScope, ApiTokenRecord, ApiTokenView } from '@ensoras/contracts';

/** A scoped API token: its SHA-256 only (the secret is shown once, at creation), what it may do, where, and until when. */
@Entity({ name: 'api_token' })
export class ApiTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  /** Hex SHA-256 of the secret, also the token's key in the api-tokens bucket. */
  @Column({ name: 'token_hash', type: 'text' }) tokenHash!: string;
  /** A token for every project ("*"), present and future; `projects` is empty then. */
  @Column({ name: 'all_projects', type: 'boolean' }) allProjects!: boolean;
  @Column({ type: 'text', array: true }) projects!: string[];
  @Column({ type: 'text', array: true }) scopes!: ApiScope[];
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}

/** What the other services learn of an active token through the bucket. */
export function apiTokenRecordOf(token: ApiTokenEntity): ApiTokenRecord {
  return { id: token.id, name: token.name, projects: token.allProjects ? '*' : token.projects, scopes: token.scopes };
}

export function apiTokenViewOf(token: ApiTokenEntity): ApiTokenView {
  return {
    ...apiTokenRecordOf(token),
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
