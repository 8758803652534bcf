import { Injectable } from '@nestjs/common';
import type { OAuthProvider } from '@ensoras/contracts';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';
import { hostsOf } from '../config/oauth-settings.validators.js';

/** Where a provider's authorization server is; static, never discovered (no request at start, no Node fetch quirks). */
export interface ProviderEndpoints {
  issuer: string;
  /** What openid-client is given as the server (its Entra ID rule for `{tenantid}` issuers keys on it). */
  server: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string | null;
}

/**
 * What a mailbox grant asks for. Google: full IMAP/SMTP access is the one scope `https://mail.google.com/`; Microsoft:
 * IMAP and SMTP AUTH of Exchange Online, `offline_access` for a refresh token. `openid email` for the account's address.
 */
export const OAUTH_SCOPES: Record<OAuthProvider, string> = {
  google: 'openid email https://mail.google.com/',
  microsoft: 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send',
};

/** Extra authorization parameters: Google gives a refresh token only with offline access, again only with consent. */
export const AUTHORIZATION_PARAMETERS: Record<OAuthProvider, Record<string, string>> = {
  google: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  microsoft: { prompt: 'select_account' },
};

/** The IMAP and SMTP hosts that take each provider's tokens: a direction with oauth2 may name no other. */
export const DEFAULT_MAIL_HOSTS: Record<OAuthProvider, readonly string[]> = {
  google: ['imap.gmail.com', 'smtp.gmail.com'],
  microsoft: ['outlook.office365.com', 'smtp.office365.com', 'smtp-mail.outlook.com', 'imap-mail.outlook.com'],
};

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** The deployment's OAuth settings, from the environment (README, "Connecting a mailbox with OAuth2"). */
@Injectable()
export class OAuthProviders {
  constructor(private readonly environment: ChannelConfigEnvironment) {}

  get redirectUrl(): string | undefined {
    return this.environment.OAUTH_REDIRECT_URL || undefined;
  }

  get doneUrl(): string | undefined {
    return this.environment.OAUTH_DONE_URL || undefined;
  }

  get allowHttp(): boolean {
    return this.environment.OAUTH_ALLOW_HTTP_ENDPOINTS === true;
  }

  get refreshAheadMs(): number {
    return this.environment.OAUTH_REFRESH_AHEAD_SECONDS * 1000;
  }

  get refreshCheckMs(): number {
    return this.environment.OAUTH_REFRESH_CHECK_MS;
  }

  /** The deployment's client of a provider, or null when none is configured. */
  deploymentClient(provider: OAuthProvider): { clientId: string; clientSecret: string } | null {
    const [id, secret] =
      provider === 'google'
        ? [this.environment.GOOGLE_OAUTH_CLIENT_ID, this.environment.GOOGLE_OAUTH_CLIENT_SECRET]
        : [this.environment.MICROSOFT_OAUTH_CLIENT_ID, this.environment.MICROSOFT_OAUTH_CLIENT_SECRET];
    return id && secret ? { clientId: id, clientSecret: secret } : null;
  }

  mailHosts(provider: OAuthProvider): readonly string[] {
    const configured = provider === 'google' ? this.environment.GOOGLE_OAUTH_MAIL_HOSTS : this.environment.MICROSOFT_OAUTH_MAIL_HOSTS;
    return configured ? hostsOf(configured) : DEFAULT_MAIL_HOSTS[provider];
  }

  endpoints(provider: OAuthProvider): ProviderEndpoints {
    const env = this.environment;
    if (provider === 'google') {
      const issuer = env.GOOGLE_OAUTH_ISSUER ?? 'https://accounts.google.com';
      return {
        issuer,
        server: issuer,
        authorizationUrl: env.GOOGLE_OAUTH_AUTHORIZATION_URL ?? 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL ?? 'https://oauth2.googleapis.com/token',
        revocationUrl: env.GOOGLE_OAUTH_REVOCATION_URL ?? 'https://oauth2.googleapis.com/revoke',
      };
    }
    const authority = (env.MICROSOFT_OAUTH_AUTHORITY ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    const tenant = env.MICROSOFT_OAUTH_TENANT;
    // A multi-tenant endpoint issues ID tokens under the user's own tenant: openid-client checks `iss` against the
    // `{tenantid}` template with the token's `tid` (for login.microsoftonline.com), as after a real discovery.
    const issuer = env.MICROSOFT_OAUTH_ISSUER ?? `${authority}/${MULTI_TENANT.has(tenant) ? '{tenantid}' : tenant}/v2.0`;
    return {
      issuer,
      server: env.MICROSOFT_OAUTH_ISSUER ?? `${authority}/${tenant}/v2.0`,
      authorizationUrl: env.MICROSOFT_OAUTH_AUTHORIZATION_URL ?? `${authority}/${tenant}/oauth2/v2.0/authorize`,
      tokenUrl: env.MICROSOFT_OAUTH_TOKEN_URL ?? `${authority}/${tenant}/oauth2/v2.0/token`,
      // The identity platform has no revocation endpoint for refresh tokens (an admin revokes sessions in Entra ID).
      revocationUrl: null,
    };
  }
}
