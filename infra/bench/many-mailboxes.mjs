// What the benches with one IMAP user per project on one Dovecot share (mailboxes.mjs, replicas.mjs): cleanup on exit
// and on signals, the inotify limits IDLE needs, Dovecot limits for many sessions, and the channel snapshots written
// into the `channel-settings` bucket as channel-config would, the servers they run on.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CHANNEL_SETTINGS_BUCKET } from '@ensoras/contracts';
import { ensureStreams, KeyValueBuckets } from '@ensoras/messaging';
import { channelPasswordContext, SecretBox } from '@ensoras/secrets';
import { createTestDatabase, startDovecot, startNats } from '@ensoras/testing';

export const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** One IMAP user per project, `support@<project>.test` with its own password. */
export const mailboxUsers = (count, projectOf) =>
  Array.from({ length: count }, (_, i) => ({ username: `support@${projectOf(i)}.test`, password: `imap-${i}-${randomBytes(6).toString('hex')}` }));

/**
 * Everything started is stopped in reverse order by `cleanUp()`, also on SIGINT/SIGTERM. Steps are pushed onto
 * `cleanups` as things start.
 */
export function cleanupRegistry() {
  const cleanups = [];
  let cleaning;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.reverse()) await step().catch((error) => console.error(`cleanup: ${error?.message ?? error}`));
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  return { cleanups, cleanUp };
}

const readSysctl = (name) => readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim();

/**
 * IDLE is push only while each imap process gets an inotify instance (all run as uid mail): raises
 * fs.inotify.max_user_instances / max_user_watches when running as root, and registers putting them back. Returns
 * max_user_instances as it is now.
 */
export function raiseInotify(cleanups) {
  const wanted = { max_user_instances: 8192, max_user_watches: 524288 };
  for (const [name, value] of Object.entries(wanted)) {
    const before = Number(readSysctl(name));
    if (before < value && process.getuid?.() === 0) {
      try {
        execFileSync('sysctl', ['-w', `fs.inotify.${name}=${value}`], { stdio: 'pipe' });
        cleanups.push(async () => execFileSync('sysctl', ['-w', `fs.inotify.${name}=${before}`], { stdio: 'pipe' }));
      } catch (error) {
        console.log(`sysctl -w fs.inotify.${name}=${value} failed: ${String(error.stderr ?? error.message).trim()}`);
      }
    }
    console.log(`fs.inotify.${name} = ${readSysctl(name)}${before !== Number(readSysctl(name)) ? ` (was ${before})` : ''}`);
  }
  return Number(readSysctl('max_user_instances'));
}

/**
 * Dovecot limits for `sessions` concurrent IDLE sessions, appended to the tests' config (startDovecot extraConfig).
 * A session holds one imap process (client_limit 1) and, with TLS in high-security mode, one imap-login process as
 * its TLS proxy; the test config leaves both at default_process_limit = 100. Here: login processes in
 * high-performance mode (service_count 0, each proxies many TLS sessions), imap process_limit above the session count,
 * and anvil/auth/master client limits to match.
 */
export function manySessionsConfig(sessions) {
  return `# ---- infra/bench: up to ${sessions} concurrent IDLE sessions ----
default_client_limit = ${Math.max(1000, sessions * 3)}
default_process_limit = ${Math.max(100, sessions)}
mail_max_userip_connections = 20
service imap-login {
  service_count = 0
  process_min_avail = 2
  client_limit = ${Math.max(1000, sessions)}
  process_limit = 8
}
service imap {
  client_limit = 1
  process_limit = ${sessions}
}
service anvil {
  client_limit = ${sessions * 3}
}
service auth {
  client_limit = ${sessions * 3}
}`;
}

/**
 * Writes an enabled channel snapshot per user into `channel-settings`, as IngestHarness.putChannel does: IMAP only,
 * the password sealed for its context with `secretsKey` (base64).
 */
export async function putChannels(nc, { users, projectOf, secretsKey, host, port, encryption }) {
  const box = new SecretBox(Buffer.from(secretsKey, 'base64'));
  const bucket = await new KeyValueBuckets(nc).bucket(CHANNEL_SETTINGS_BUCKET);
  for (const [i, { username, password }] of users.entries()) {
    const projectId = projectOf(i);
    const context = channelPasswordContext(projectId, 'imap', { host, port, encryption, username });
    const snapshot = {
      projectId,
      enabled: true,
      revision: 1,
      updatedAt: new Date().toISOString(),
      communicationStyle: '',
      imap: { host, port, encryption, username, password: box.seal(password, context), validateCertificate: false, markAsRead: false },
      smtp: null,
      identity: { fromEmail: `support@${projectId}.test`, fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
    };
    await bucket.put(projectId, JSON.stringify(snapshot));
  }
}

/**
 * A private nats-server with the streams, a fresh PostgreSQL database, Dovecot with `users` (and `extraConfig`), a
 * data directory and a NATS connection for the bench itself; each registered for cleanup.
 */
export async function startMailboxServers({ name, users, extraConfig, cleanups }) {
  const [nats, testDatabase, dovecot] = await Promise.all([startNats(), createTestDatabase(), startDovecot({ users, ...(extraConfig ? { extraConfig } : {}) })]);
  cleanups.push(() => nats.stop(), () => testDatabase.drop(), () => dovecot.stop());
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-data-`));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const nc = await connect({ servers: nats.url, name });
  cleanups.push(() => nc.close());
  await ensureStreams(await jetstreamManager(nc));
  return { nats, testDatabase, dovecot, dataDir, nc };
}

/** Calls `seen(envelope)` for every mail.received on the MAIL stream from its start, as it reaches this process. */
export async function followMailReceived(nc, cleanups, seen) {
  const consumer = await jetstream(nc).consumers.get('MAIL', { filter_subjects: 'mail.*.received' });
  const messages = await consumer.consume();
  cleanups.push(() => messages.close());
  void (async () => {
    for await (const message of messages) seen(message.json());
  })();
}
