import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OAuthProvider } from '@ensoras/contracts';

/** A project's own OAuth client for a provider, used instead of the deployment's; the secret only sealed. */
@Entity({ name: 'oauth_client' })
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @PrimaryColumn({ type: 'text' }) provider!: OAuthProvider;
  @Column({ name: 'client_id', type: 'text' }) clientId!: string;
  @Column({ name: 'client_secret_sealed', type: 'text' }) clientSecretSealed!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
