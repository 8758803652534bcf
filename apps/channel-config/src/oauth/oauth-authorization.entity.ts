import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OAuthProvider } from '@ensoras/contracts';

/**
 * A consent in flight: created by POST …/oauth/start, taken (deleted) by the callback that presents its state, so
 * each state works once; useless after `expires_at` (10 minutes). Only a hash of the state is kept, and the PKCE
 * verifier is sealed: a copy of this table completes no consent.
 */
@Entity({ name: 'oauth_authorization' })
export class OAuthAuthorizationEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'text' }) stateHash!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ type: 'text' }) provider!: OAuthProvider;
  @Column({ name: 'client_id', type: 'text' }) clientId!: string;
  @Column({ name: 'client_source', type: 'text' }) clientSource!: 'deployment' | 'project';
  @Column({ name: 'code_verifier_sealed', type: 'text' }) codeVerifierSealed!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
}
