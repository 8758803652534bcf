import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { OAUTH_PROVIDER_NAMES, type OAuthProvider } from '@ensoras/contracts';
import { oauthSecretContext, SecretBox } from '@ensoras/secrets';
import { DataSource } from 'typeorm';
import { ProjectChanges } from '../projects/project-changes.service.js';
import { OAuthAuthorizationEntity } from './oauth-authorization.entity.js';
import { OAuthClients } from './oauth-clients.service.js';
import { OAuthGrants } from './oauth-grants.service.js';
import { OAuthProviders } from './oauth-providers.js';
import { authorizationUrl, describeOAuthError, exchangeCode, newAuthorizationSecrets } from './oauth-protocol.js';
import { AUTHORIZATION_LIFETIME_MS, stateHashOf } from './refresh-timing.js';

export type CallbackOutcome =
  | { connected: true; projectId: string; provider: OAuthProvider; account: string }
  | { connected: false; reason: string; projectId?: string; provider?: OAuthProvider };

/** What a consent's error code means to the admin who clicked. */
const CONSENT_ERRORS: Record<string, string> = {
  access_denied: 'the consent was declined',
  consent_required: 'the account needs an administrator to consent to the app first',
  interaction_required: 'the provider needs more from the user; start again',
};

/**
 * Connecting a mailbox: `start` gives the consent URL (authorization code with PKCE S256, a random state bound to
 * project and provider, single use, 10 minutes), `callback` takes the code back, exchanges it and stores the grant.
 * Storing a grant is a change of the project (revision, audit `email_channel.oauth_connected`): a direction paused on
 * a revoked grant resumes with the new revision.
 */
@Injectable()
export class OAuthConnect {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly providers: OAuthProviders,
    private readonly clients: OAuthClients,
    private readonly grants: OAuthGrants,
    private readonly changes: ProjectChanges,
  ) {}

  async start(projectId: string, provider: OAuthProvider): Promise<{ url: string; expiresAt: string }> {
    const name = OAUTH_PROVIDER_NAMES[provider];
    const redirectUri = this.providers.redirectUrl;
    if (!redirectUri) throw new ConflictException('OAuth is not set up on this deployment: OAUTH_REDIRECT_URL is not set');
    const client = await this.clients.clientFor(projectId, provider);
    if (!client) {
      throw new ConflictException(
        `No ${name} OAuth client: set ${provider.toUpperCase()}_OAUTH_CLIENT_ID and _SECRET for the deployment, or PUT …/channels/email/oauth/clients/${provider} for this project`,
      );
    }
    const { codeVerifier, codeChallenge, state } = await newAuthorizationSecrets();
    const url = authorizationUrl(await this.clients.configuration(provider, client), provider, { redirectUri, state, codeChallenge });
    const now = new Date();
    const stateHash = stateHashOf(state);
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_LIFETIME_MS);
    await this.dataSource.manager.insert(OAuthAuthorizationEntity, {
      stateHash,
      projectId,
      provider,
      clientId: client.clientId,
      clientSource: client.source,
      codeVerifierSealed: this.box.seal(codeVerifier, oauthSecretContext(projectId, 'oauth.code_verifier', provider, stateHash)).sealed,
      createdAt: now,
      expiresAt,
    });
    return { url, expiresAt: expiresAt.toISOString() };
  }

  /** The provider's redirect back; never throws: the outcome is shown to the browser. */
  async callback(query: Record<string, unknown>): Promise<CallbackOutcome> {
    const parameters = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    const { state } = parameters;
    if (!state) return { connected: false, reason: 'the callback carries no state: start the connection again' };
    const pending = await this.take(state);
    if (!pending) return { connected: false, reason: 'this consent is unknown or was already used: start the connection again' };
    const { projectId, provider } = pending;
    const failed = (reason: string): CallbackOutcome => ({ connected: false, reason, projectId, provider });
    if (pending.expiresAt < new Date()) return failed('the consent took longer than 10 minutes: start the connection again');
    if (parameters.error) {
      return failed(CONSENT_ERRORS[parameters.error] ?? `the provider answered ${parameters.error.replace(/[^\w.-]/g, '').slice(0, 60)}`);
    }
    const redirectUri = this.providers.redirectUrl;
    const client = await this.clients.clientOfGrant(projectId, provider, pending.clientId);
    if (!redirectUri || !client) return failed('the OAuth client was changed while the consent was open: start the connection again');

    const callbackUrl = new URL(redirectUri);
    for (const [key, value] of Object.entries(parameters)) callbackUrl.searchParams.set(key, value);
    let tokens;
    try {
      const codeVerifier = this.box.open({ sealed: pending.codeVerifierSealed }, oauthSecretContext(projectId, 'oauth.code_verifier', provider, pending.stateHash));
      tokens = await exchangeCode(await this.clients.configuration(provider, client), callbackUrl, { state, codeVerifier });
    } catch (error) {
      return failed(`the code could not be exchanged (${describeOAuthError(error)})`);
    }
    if (!tokens.refreshToken) {
      return failed(
        provider === 'google'
          ? 'Google gave no refresh token: remove the app under "Third-party apps with account access" of the Google account and connect again'
          : 'the provider gave no refresh token (offline_access was not granted): connect again',
      );
    }
    await this.grants.store(projectId, provider, client, { ...tokens, refreshToken: tokens.refreshToken });
    await this.changes.apply(projectId, () => ({ action: 'email_channel.oauth_connected', changedFields: [`oauth.${provider}`], event: null }));
    return { connected: true, projectId, provider, account: tokens.account ?? '' };
  }

  /** Removes the grant; 404 when there is none. A change of the project like connecting. */
  async disconnect(projectId: string, provider: OAuthProvider): Promise<void> {
    if (!(await this.grants.remove(projectId, provider))) {
      throw new NotFoundException(`Project ${projectId} is not connected with ${OAUTH_PROVIDER_NAMES[provider]}`);
    }
    await this.changes.apply(projectId, () => ({ action: 'email_channel.oauth_disconnected', changedFields: [`oauth.${provider}`], event: null }));
  }

  /** Deletes the consent of `state` and returns it: a state is good for one callback only. */
  private async take(state: string): Promise<OAuthAuthorizationEntity | null> {
    const stateHash = stateHashOf(state);
    const found = await this.dataSource.manager.findOneBy(OAuthAuthorizationEntity, { stateHash });
    if (!found) return null;
    const deleted = await this.dataSource.manager.delete(OAuthAuthorizationEntity, { stateHash });
    // Two callbacks with one state at once: only the one that deleted the row goes on.
    return deleted.affected === 1 ? found : null;
  }
}
