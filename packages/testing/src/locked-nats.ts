import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNats, type NatsTestServer } from './nats.js';

// packages/testing/{src,dist}/ → the repository root.
const CONFIG_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'infra', 'nats', 'nats-server.conf');

/** The users of infra/nats/nats-server.conf: one per service, `ops` for dead-letter tooling, an example subscriber. */
export const NATS_USERS = ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound', 'ops', 'subscriber'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface LockedNatsServer {
  server: NatsTestServer;
  /** The NATS_* variables a process needs to log in as `user`. */
  login(user: NatsUser): { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string };
}

/** nats-server with the production configuration (infra/nats): no anonymous access, least-privilege users. */
export async function startLockedNats(): Promise<LockedNatsServer> {
  // nats-server parses the variable as a config value: a letter first, then letters and digits.
  const passwords = Object.fromEntries(NATS_USERS.map((user) => [user, `p${randomBytes(18).toString('hex')}`])) as Record<NatsUser, string>;
  const server = await startNats({
    configFile: CONFIG_FILE,
    env: Object.fromEntries(NATS_USERS.map((user) => [`NATS_${user.toUpperCase().replace(/-/g, '_')}_PASSWORD`, passwords[user]])),
  });
  return { server, login: (user) => ({ NATS_URL: server.url, NATS_USER: user, NATS_PASSWORD: passwords[user] }) };
}
