import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedServer } from '@ensoras/persistence';
import { startDovecot, type DovecotServer, type MailUser } from './dovecot.js';
import { startLockedNats, type LockedNatsServer, type NatsUser } from './locked-nats.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { startOAuthProvider, type OAuthTestProvider } from './oauth-provider.js';
import { cleanUpOnProcessExit } from './process-exit-cleanup.js';
import { startSmtpServer, type SmtpTestServer } from './smtp.js';
import { SERVICE_NAMES, startServices, type RunningServices, type ServiceName } from './service-processes.js';

export const PROJECT = 'acme';
export const SUPPORT = { username: 'support@acme.test', password: 'imap-app-password' };
export const SMTP_USER = { username: 'support@acme.test', password: 'smtp-app-password' };

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** For end-to-end tests and benchmarks: the five built services as processes, with their own NATS, database, Dovecot mailbox and SMTP server. */
export interface ChannelStack {
  dovecot: DovecotServer;
  smtp: SmtpTestServer;
  services: RunningServices;
  /** With `oauth: true`: the local OAuth2 provider channel-config knows as Google; Dovecot and the SMTP server check its tokens. */
  oauth: OAuthTestProvider | null;
  /** With `oauth: true`: channel-config's OAUTH_REDIRECT_URL, whose path and query the test hands to channel-config. */
  oauthRedirectUrl: string | null;
  /** The services' admin token, e.g. to sign in to the console. */
  adminToken: string;
  /** The NATS login of a service (or `ops`, `subscriber`), to publish or read as it would. */
  natsLogin(user: NatsUser): { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string };
  /** Calls a route of any service with the admin token (admin, inbox, quarantine and health routes alike). */
  api<T>(service: ServiceName, method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  /** The channel's settings as an admin would PUT them: the test mailbox and SMTP server, a 0–1 s response delay. */
  channelSettings(extra?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * NATS runs with the production configuration (infra/nats/nats-server.conf) and each service logs in as its own
 * least-privilege user, so every end-to-end test also proves the permissions fit the real flow.
 */
export interface ChannelStackOptions {
  /** More Dovecot mailboxes beside SUPPORT's, e.g. for a second project configured through the admin API. */
  extraMailUsers?: MailUser[];
  /**
   * 'postgres' (default): a fresh database on the test PostgreSQL, shared by the five as in production.
   * 'embedded': one embedded PostgreSQL server (startEmbeddedServer, in a temp dir) for the five, each in its own
   * schema, the server `npm start` runs.
   */
  database?: 'postgres' | 'embedded';
  /**
   * Start a local OAuth2 provider as "Google" for channel-config (client, endpoints, mail host 127.0.0.1), whose
   * account SUPPORT can log in to Dovecot (oauth2 passdb) and the SMTP server (XOAUTH2) with its tokens.
   */
  oauth?: boolean;
}

export async function startChannelStack(name: string, options: ChannelStackOptions = {}): Promise<ChannelStack> {
  const adminToken = randomBytes(24).toString('base64url');
  let nats: LockedNatsServer | undefined;
  let database: TestDatabase | undefined;
  let embedded: EmbeddedServer | undefined;
  let forgetEmbedded: (() => void) | undefined;
  let dovecot: DovecotServer | undefined;
  let smtp: SmtpTestServer | undefined;
  let services: RunningServices | undefined;
  let oauth: OAuthTestProvider | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-data-`));
  const stop = async () => {
    await services?.stop();
    await Promise.all([nats?.server.stop(), database?.drop(), embedded?.stop(), dovecot?.stop(), smtp?.stop(), oauth?.stop()]);
    forgetEmbedded?.();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const startEmbedded = async () => {
    const { startEmbeddedServer } = await import('@ensoras/persistence');
    // As root the server runs as nobody, which must pass through the (0700) temp dir to its own folder.
    chmodSync(dataDir, 0o711);
    const server = await startEmbeddedServer(join(dataDir, 'postgres'));
    forgetEmbedded = cleanUpOnProcessExit(() => process.kill(server.pid, 'SIGQUIT'));
    embedded = server;
    return server;
  };
  const oauthClient = { clientId: 'e2e-google-client', clientSecret: randomBytes(12).toString('base64url') };
  const oauthRedirectUrl = 'http://config.e2e.test/v1/oauth/callback';
  try {
    if (options.oauth) oauth = await startOAuthProvider({ clients: [oauthClient], account: SUPPORT.username });
    const introspection = oauth ? { oauth2IntrospectionUrl: oauth.introspectionEndpoint } : {};
    let embeddedServer: EmbeddedServer | undefined;
    [nats, database, dovecot, smtp, embeddedServer] = await Promise.all([
      startLockedNats(),
      options.database === 'embedded' ? undefined : createTestDatabase(),
      startDovecot({ users: [SUPPORT, ...(options.extraMailUsers ?? [])], ...introspection }),
      startSmtpServer({ mode: 'starttls', users: [SMTP_USER], ...introspection }),
      options.database === 'embedded' ? startEmbedded() : undefined,
    ]);
    const logins = nats;
    services = await startServices({
      DATABASE_URL: (database ?? embeddedServer)!.url,
      ADMIN_TOKEN: adminToken,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      // Captured, and saved only when a test fails: keep all of it.
      LOG_LEVEL: 'log',
    }, {
      ...Object.fromEntries(SERVICE_NAMES.map((service) => [service, logins.login(service)])),
      'channel-config': { ...logins.login('channel-config'), ...(oauth ? oauthEnvironment(oauth, oauthClient, oauthRedirectUrl) : {}) },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const running = services;
  const natsServer = nats;
  const mailbox = dovecot;
  const smtpServer = smtp;
  return {
    dovecot: mailbox,
    smtp: smtpServer,
    services: running,
    oauth,
    oauthRedirectUrl: oauth ? oauthRedirectUrl : null,
    adminToken,
    natsLogin: (user) => natsServer.login(user),
    async api<T>(service: ServiceName, method: string, path: string, body?: unknown) {
      const response = await fetch(`${running.url(service)}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    },
    channelSettings: (extra = {}) => ({
      imap: {
        host: '127.0.0.1',
        port: mailbox.imapsPort,
        encryption: 'ssl',
        username: SUPPORT.username,
        password: SUPPORT.password,
        validateCertificate: false,
      },
      smtp: {
        host: '127.0.0.1',
        port: smtpServer.port,
        encryption: 'tls',
        username: SMTP_USER.username,
        password: SMTP_USER.password,
        validateCertificate: false,
      },
      identity: { fromEmail: 'support@acme.test', fromName: 'Acme Support' },
      responseDelay: { minSeconds: 0, maxSeconds: 1 },
      ...extra,
    }),
    stop,
  };
}

/** channel-config's OAuth settings for the local provider, playing Google; the redirect URL is never called itself. */
function oauthEnvironment(provider: OAuthTestProvider, client: { clientId: string; clientSecret: string }, redirectUrl: string): Record<string, string> {
  return {
    OAUTH_ALLOW_HTTP_ENDPOINTS: 'true',
    OAUTH_REDIRECT_URL: redirectUrl,
    GOOGLE_OAUTH_CLIENT_ID: client.clientId,
    GOOGLE_OAUTH_CLIENT_SECRET: client.clientSecret,
    GOOGLE_OAUTH_ISSUER: provider.issuer,
    GOOGLE_OAUTH_AUTHORIZATION_URL: provider.authorizationEndpoint,
    GOOGLE_OAUTH_TOKEN_URL: provider.tokenEndpoint,
    GOOGLE_OAUTH_REVOCATION_URL: provider.revocationEndpoint,
    GOOGLE_OAUTH_MAIL_HOSTS: '127.0.0.1',
  };
}
