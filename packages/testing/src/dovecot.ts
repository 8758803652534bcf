import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificates.js';
import { renderDovecotConfig, renderDovecotOAuth2Config, renderPasswdFile, type DovecotLayout } from './dovecot-config.js';
import { findExecutable } from './executables.js';
import { isAddressInUse, readyOrExited, startManagedProcess, type ManagedProcess } from './managed-process.js';
import { freePort, waitForPortUntil } from './ports.js';
import { runCommand } from './run-command.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface MailUser {
  username: string;
  password: string;
}

export interface DovecotServer {
  host: string;
  /** Plain IMAP that offers STARTTLS (ssl = yes, not required). */
  imapPort: number;
  /** Implicit TLS (IMAPS). */
  imapsPort: number;
  users: MailUser[];
  /** Put a raw RFC 5322 message into INBOX of `username` (doveadm -c <conf> save -u <user>, message on stdin). */
  deliver(username: string, raw: string | Buffer): Promise<void>;
  /** Flags of every message in INBOX, by UID (doveadm fetch / search), so tests can check \Seen. */
  listInbox(username: string): Promise<Array<{ uid: number; flags: string[] }>>;
  /** The master process (its children are Dovecot's service processes) and its log, for benchmarks that watch them. */
  pid: number;
  logPath: string;
  stop(): Promise<void>;
}

export interface DovecotOptions {
  users?: MailUser[];
  /** Appended to the test configuration, e.g. service limits for a benchmark with a thousand sessions. */
  extraConfig?: string;
  /**
   * Also accept XOAUTH2 / OAUTHBEARER logins, each token checked by introspection at this URL (startOAuthProvider's
   * introspectionEndpoint). Any account the provider vouches for logs in, with or without a password entry.
   */
  oauth2IntrospectionUrl?: string;
}

const DEFAULT_USERS: MailUser[] = [{ username: 'support@example.test', password: 'secret-pass' }];
const INSTALL_HINT = 'apt-get install -y dovecot-imapd';
// Debian's 'mail' user/group; the static userdb runs mail access as it.
const MAIL_UID = 8;
const MAIL_GID = 8;
const STARTUP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 3;

/** Starts a private Dovecot 2.3 IMAP server on two free ports with its own config, sockets and mail in a temp dir. */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const users = (options.users ?? DEFAULT_USERS).map((user) => ({ ...user }));
  const dovecot = await findExecutable('dovecot', ['/usr/sbin/dovecot'], INSTALL_HINT);
  const doveadm = await findExecutable('doveadm', ['/usr/bin/doveadm'], INSTALL_HINT);
  if (process.getuid?.() !== 0) {
    throw new Error('startDovecot needs to run as root (Dovecot switches to the dovenull, dovecot and mail users)');
  }
  const passwd = renderPasswdFile(users);
  const certificate = await selfSignedCertificate();

  const layout = await prepareLayout();
  try {
    await writeFile(layout.passwdPath, passwd, { mode: 0o644 });
    if (options.oauth2IntrospectionUrl !== undefined) {
      await writeFile(layout.oauth2ConfigPath, renderDovecotOAuth2Config(options.oauth2IntrospectionUrl), { mode: 0o644 });
    }
    for (let attempt = 1; ; attempt++) {
      const [imapPort, imapsPort] = await Promise.all([freePort(), freePort()]);
      const config = renderDovecotConfig({
        layout,
        imapPort,
        imapsPort,
        certPath: certificate.certPath,
        keyPath: certificate.keyPath,
        oauth2IntrospectionUrl: options.oauth2IntrospectionUrl,
      });
      await writeFile(layout.configPath, options.extraConfig ? `${config}\n${options.extraConfig}\n` : config);
      try {
        const server = await launch(dovecot, layout, [imapPort, imapsPort]);
        return runningServer({ server, doveadm, layout, users, imapPort, imapsPort });
      } catch (error) {
        // freePort() cannot reserve ports; on a lost race try fresh ones.
        if (attempt >= PORT_ATTEMPTS || !isAddressInUse(error)) throw error;
      }
    }
  } catch (error) {
    await removeTempDir(layout.rootDir);
    throw error;
  }
}

interface RunningDovecot {
  server: ManagedProcess;
  doveadm: string;
  layout: DovecotLayout;
  users: MailUser[];
  imapPort: number;
  imapsPort: number;
}

function runningServer({ server, doveadm, layout, users, imapPort, imapsPort }: RunningDovecot): DovecotServer {
  // doveadm reads the same config, so it finds this instance's auth sockets and mail.
  const doveadmArgs = (...args: string[]): string[] => ['-c', layout.configPath, ...args];
  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    imapPort,
    imapsPort,
    users,
    pid: server.pid,
    logPath: layout.logPath,
    async deliver(username, raw) {
      await runCommand(doveadm, doveadmArgs('save', '-u', username, '-m', 'INBOX'), raw);
    },
    async listInbox(username) {
      const { stdout } = await runCommand(doveadm, doveadmArgs('-f', 'tab', 'fetch', '-u', username, 'uid flags', 'mailbox', 'INBOX', 'all'));
      return parseTabFetch(stdout);
    },
    stop() {
      // Idempotent: afterAll hooks and failing tests may both call it.
      stopped ??= (async () => {
        await server.stop();
        await removeTempDir(layout.rootDir);
      })();
      return stopped;
    },
  };
}

async function prepareLayout(): Promise<DovecotLayout> {
  const rootDir = await makeTempDir('ens-dovecot');
  // mkdtemp gives 0700; Dovecot's unprivileged processes (dovenull, mail) must traverse it.
  await chmod(rootDir, 0o755);
  const layout: DovecotLayout = {
    rootDir,
    baseDir: join(rootDir, 'run'),
    stateDir: join(rootDir, 'state'),
    mailDir: join(rootDir, 'mail'),
    logPath: join(rootDir, 'dovecot.log'),
    passwdPath: join(rootDir, 'passwd'),
    configPath: join(rootDir, 'dovecot.conf'),
    oauth2ConfigPath: join(rootDir, 'dovecot-oauth2.conf.ext'),
  };
  await Promise.all([mkdir(layout.baseDir), mkdir(layout.stateDir), mkdir(layout.mailDir)]);
  await chown(layout.mailDir, MAIL_UID, MAIL_GID);
  return layout;
}

async function launch(dovecot: string, layout: DovecotLayout, ports: number[]): Promise<ManagedProcess> {
  // -F keeps the master in the foreground as our child, so we own its lifetime.
  const server = startManagedProcess(dovecot, ['-c', layout.configPath, '-F'], { cwd: layout.rootDir });
  try {
    await readyOrExited(server, 'dovecot', (signal) =>
      Promise.all(ports.map((port) => waitForPortUntil(port, '127.0.0.1', STARTUP_TIMEOUT_MS, signal))).then(() => undefined),
    );
    return server;
  } catch (error) {
    await server.stop();
    // Bind errors go to stderr, most other problems to the log file; include both.
    const log = await readFile(layout.logPath, 'utf8').catch(() => '');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Dovecot failed to start: ${reason}\n${server.output()}\n${log}`.trim(), { cause: error });
  }
}

/** Parses `doveadm -f tab fetch 'uid flags'`: a header row, then "uid<TAB>flag flag". */
function parseTabFetch(stdout: string): Array<{ uid: number; flags: string[] }> {
  const [, ...rows] = stdout.split('\n').filter((line) => line.trim() !== '');
  return rows.map((row) => {
    const [uid = '', flags = ''] = row.split('\t');
    return {
      uid: Number(uid),
      // \Recent is a per-session flag that doveadm's own session claims; it says
      // nothing about what an IMAP client did, so leave it out.
      flags: flags.split(' ').filter((flag) => flag !== '' && flag !== '\\Recent'),
    };
  });
}
