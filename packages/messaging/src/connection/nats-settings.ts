import { readFileSync } from 'node:fs';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
  type Authenticator,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';

/**
 * Where NATS is and how to prove who we are, under the environment variable names every service and CLI tool reads
 * (see README, "NATS"). At most one way to authenticate; TLS combines with any of them.
 */
export interface NatsSettings {
  /** One or more comma-separated `nats://` or `tls://` URLs; `tls://` requires TLS. */
  NATS_URL: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TOKEN?: string;
  /** An NKey user seed (`SU…`), or the file holding it. */
  NATS_NKEY_SEED?: string;
  NATS_NKEY_SEED_FILE?: string;
  /** A `.creds` file (user JWT and NKey seed) from an operator-mode (decentralised) NATS deployment. */
  NATS_CREDS_FILE?: string;
  /** Trust this CA for the server's certificate (a private CA); the system's CAs otherwise. */
  NATS_TLS_CA_FILE?: string;
  /** Client certificate and key, for servers that verify clients (`verify: true`). */
  NATS_TLS_CERT_FILE?: string;
  NATS_TLS_KEY_FILE?: string;
  /**
   * Subjects our replies and pulled messages arrive on: `_INBOX.<NATS_USER>` by default, so the server can let each user
   * subscribe to its own replies only (infra/nats/nats-server.conf); plain `_INBOX` without a user.
   */
  NATS_INBOX_PREFIX?: string;
  /** How long the event streams keep events (`30d`, `72h`, `90m`; at least `1h`); 30 days by default. */
  NATS_STREAM_MAX_AGE?: string;
  /** How long the DEADLETTER stream keeps dead letters; 90 days by default. */
  NATS_DEAD_LETTER_MAX_AGE?: string;
  /** Copies of every stream, KV bucket and object store: 1 (default, one server), 3 or 5 (a NATS cluster). */
  NATS_STREAM_REPLICAS?: number;
}

/** The nats.js options for these settings. Secret files are read at each (re)connect, so rotated files are picked up. */
export function natsConnectionOptions(settings: NatsSettings, name: string): NodeConnectionOptions {
  const servers = settings.NATS_URL.split(',').map((server) => server.trim()).filter(Boolean);
  const authenticator = authenticatorFor(settings);
  const tls = tlsOptionsFor(settings, servers);
  return {
    servers,
    name,
    inboxPrefix: inboxPrefixFor(settings),
    ...(authenticator ? { authenticator } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** What may be logged about the connection: servers without any user info, the way we authenticate, TLS. */
export function describeNatsSettings(settings: NatsSettings): string {
  const servers = settings.NATS_URL.split(',')
    .map((server) => server.trim().replace(/\/\/[^@/]*@/, '//'))
    .join(',');
  const tls = tlsOptionsFor(settings, settings.NATS_URL.split(',')) ? ', TLS' : '';
  return `${servers} (${authenticationKind(settings)}${tls})`;
}

function authenticationKind(settings: NatsSettings): string {
  if (isSet(settings.NATS_USER)) return `user ${settings.NATS_USER}`;
  if (isSet(settings.NATS_TOKEN)) return 'token';
  if (isSet(settings.NATS_NKEY_SEED) || isSet(settings.NATS_NKEY_SEED_FILE)) return 'NKey';
  if (isSet(settings.NATS_CREDS_FILE)) return 'credentials file';
  return 'no credentials';
}

function authenticatorFor(settings: NatsSettings): Authenticator | undefined {
  if (isSet(settings.NATS_USER)) return usernamePasswordAuthenticator(settings.NATS_USER, settings.NATS_PASSWORD ?? '');
  if (isSet(settings.NATS_TOKEN)) return tokenAuthenticator(settings.NATS_TOKEN);
  if (isSet(settings.NATS_NKEY_SEED)) return nkeyAuthenticator(new TextEncoder().encode(settings.NATS_NKEY_SEED.trim()));
  const seedFile = settings.NATS_NKEY_SEED_FILE;
  if (isSet(seedFile)) return nkeyAuthenticator(() => readSecretFile('NATS_NKEY_SEED_FILE', seedFile, (text) => text.trim()));
  const credsFile = settings.NATS_CREDS_FILE;
  if (isSet(credsFile)) return credsAuthenticator(() => readSecretFile('NATS_CREDS_FILE', credsFile));
  return undefined;
}

function tlsOptionsFor(settings: NatsSettings, servers: string[]): NodeConnectionOptions['tls'] | undefined {
  const files = {
    ...(isSet(settings.NATS_TLS_CA_FILE) ? { caFile: settings.NATS_TLS_CA_FILE } : {}),
    ...(isSet(settings.NATS_TLS_CERT_FILE) ? { certFile: settings.NATS_TLS_CERT_FILE } : {}),
    ...(isSet(settings.NATS_TLS_KEY_FILE) ? { keyFile: settings.NATS_TLS_KEY_FILE } : {}),
  };
  // nats.js upgrades to TLS when the server offers it; a tls:// URL or any TLS file makes it a requirement.
  const required = servers.some((server) => server.trim().startsWith('tls://')) || Object.keys(files).length > 0;
  return required ? files : undefined;
}

function inboxPrefixFor(settings: NatsSettings): string {
  if (isSet(settings.NATS_INBOX_PREFIX)) return settings.NATS_INBOX_PREFIX;
  return isSet(settings.NATS_USER) ? `_INBOX.${settings.NATS_USER}` : '_INBOX';
}

/** Read errors name the variable, never the file's content. */
function readSecretFile(variable: string, path: string, normalise: (text: string) => string = (text) => text): Uint8Array {
  try {
    return new TextEncoder().encode(normalise(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
