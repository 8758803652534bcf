import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OAuthProvider } from '@ensoras/contracts';

/**
 * A project's consent with one provider. The refresh token (and channel-config's copy of the current access token)
 * are stored only sealed, bound to project, provider and client id. Only channel-config refreshes; `token_version`
 * counts the access tokens published from it.
 */
@Entity({ name: 'oauth_grant' })
export class OAuthGrantEntity {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @PrimaryColumn({ type: 'text' }) provider!: OAuthProvider;
  /** The account that consented (ID token `email`), lower case; '' when the provider did not say. */
  @Column({ type: 'text' }) account!: string;
  /** The client the grant was issued to: refreshing needs the same one. */
  @Column({ name: 'client_id', type: 'text' }) clientId!: string;
  @Column({ name: 'client_source', type: 'text' }) clientSource!: 'deployment' | 'project';
  @Column({ name: 'refresh_token_sealed', type: 'text' }) refreshTokenSealed!: string;
  @Column({ name: 'access_token_sealed', type: 'text', nullable: true }) accessTokenSealed!: string | null;
  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true }) accessTokenExpiresAt!: Date | null;
  @Column({ name: 'token_version', type: 'int' }) tokenVersion!: number;
  @Column({ name: 'connected_at', type: 'timestamptz' }) connectedAt!: Date;
  @Column({ name: 'last_refresh_at', type: 'timestamptz', nullable: true }) lastRefreshAt!: Date | null;
  /** Why the last refresh failed (the provider's error code and description), or why the grant is revoked. */
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'refresh_failures', type: 'int' }) refreshFailures!: number;
  /** After a failed refresh: not before this. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  /** A replica refreshing it holds it until then, so two replicas never spend (or rotate) one refresh token twice. */
  @Column({ name: 'refresh_claimed_until', type: 'timestamptz', nullable: true }) refreshClaimedUntil!: Date | null;
  /** The provider answered invalid_grant: nothing but a new consent helps. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
