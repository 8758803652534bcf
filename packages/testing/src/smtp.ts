import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { selfSignedCertificate } from './certificates.js';
import type { MailUser } from './dovecot.js';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** The SMTP AUTH username, or null when the client did not authenticate. */
  authUser: string | null;
  /** The SASL mechanism it authenticated with (PLAIN, LOGIN, XOAUTH2), or null. */
  authMethod: string | null;
  /** Whether the message arrived over TLS (implicit or after STARTTLS). */
  secure: boolean;
  /** The SMTP connection it came over: mails of one pooled connection share it. */
  sessionId: string;
}

export interface SmtpTestServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Resolves when messages.length >= count; rejects after timeoutMs (default 10000). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /**
   * What a provider does when the account's password is changed there: the account's open sessions are closed, and
   * from now on AUTH takes only `password`.
   */
  changePassword(username: string, password: string): void;
  stop(): Promise<void>;
}

export interface SmtpServerOptions {
  /** plain: no TLS offered at all; starttls: offers STARTTLS (self-signed cert); implicit-tls: TLS from the first byte. */
  mode?: 'plain' | 'starttls' | 'implicit-tls';
  /** When set, AUTH PLAIN/LOGIN is required and checked against these; when unset, AUTH is optional and any credentials pass. */
  users?: MailUser[];
  /**
   * Offer AUTH XOAUTH2 and require it (or PLAIN/LOGIN for `users`): the bearer token is checked by introspection at
   * this URL (startOAuthProvider's introspectionEndpoint), and must be active for exactly the AUTH username.
   */
  oauth2IntrospectionUrl?: string;
}

const HOST = '127.0.0.1';

/** Starts an in-process receiving SMTP server on a free port; every accepted message is parsed and kept in `messages`. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const mode = options.mode ?? 'plain';
  // A copy: changePassword must not change the caller's objects.
  const users = options.users?.map((user) => ({ ...user }));
  const introspectionUrl = options.oauth2IntrospectionUrl;
  const authMethodOfSession = new Map<string, string>();
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();

  const serverOptions: SMTPServerOptions = {
    logger: false,
    banner: '@ensoras/testing SMTP',
    secure: mode === 'implicit-tls',
    // smtp-server offers STARTTLS with a built-in certificate unless told not to;
    // 'plain' must really be plain so tests can check clients that insist on TLS.
    disabledCommands: mode === 'plain' ? ['STARTTLS'] : [],
    authMethods: introspectionUrl === undefined ? ['PLAIN', 'LOGIN'] : ['XOAUTH2', ...(users ? ['PLAIN', 'LOGIN'] : [])],
    authOptional: users === undefined && introspectionUrl === undefined,
    // Tests authenticate over plain connections too; the point is to check credentials, not transport.
    allowInsecureAuth: true,
    // stop() should not wait 30 s for idle client connections (e.g. pooled transports).
    closeTimeout: 200,
    onAuth(auth, session, callback) {
      authMethodOfSession.set(session.id, auth.method);
      if (auth.method === 'XOAUTH2') {
        if (introspectionUrl === undefined) return callback(new Error('XOAUTH2 is not offered'));
        void tokenBelongsTo(introspectionUrl, auth.accessToken ?? '', auth.username ?? '').then(
          (valid) =>
            // RFC-less but de facto (Google): a failed XOAUTH2 answers 334 with this JSON, then 535.
            valid ? callback(null, { user: auth.username }) : callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } }),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
        return;
      }
      if (users === undefined) return callback(null, { user: auth.username });
      const match = users.find((user) => user.username === auth.username && user.password === auth.password);
      if (match) callback(null, { user: match.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', callback);
      stream.once('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push(toReceivedMail(raw, parsed, session, authMethodOfSession.get(session.id) ?? null));
            for (const wake of waiters) wake();
            // Acknowledge only after recording, so a client's sendMail() resolving means `messages` has it.
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  };
  if (mode !== 'plain') {
    const { key, cert } = await selfSignedCertificate();
    serverOptions.key = key;
    serverOptions.cert = cert;
  }

  const server = new SMTPServer(serverOptions);
  // Errors on individual client sockets (e.g. a client aborting a TLS handshake) must not crash the test run.
  server.on('error', () => undefined);
  const port = await listen(server);

  let stopped: Promise<void> | undefined;
  return {
    host: HOST,
    port,
    messages,
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (messages.length < count) return false;
          cleanup();
          resolve(messages.slice());
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Expected ${count} SMTP message(s) within ${timeoutMs} ms, received ${messages.length}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        if (!check()) waiters.add(check);
      });
    },
    changePassword(username, password) {
      const user = users?.find((candidate) => candidate.username === username);
      if (!user) throw new Error(`The SMTP test server has no user ${username}`);
      user.password = password;
      for (const connection of server.connections) {
        if (connection.session.user === username) connection.close();
      }
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}

function listen(server: SMTPServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0 lets the kernel choose, so there is no window in which another test could take the port.
    const netServer = server.listen(0, HOST, () => {
      server.off('error', reject);
      const address = netServer.address();
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new Error('SMTP server did not report a TCP port'));
    });
  });
}

/** Whether the provider says the token is active and issued to `username` (its email). */
async function tokenBelongsTo(introspectionUrl: string, token: string, username: string): Promise<boolean> {
  const response = await fetch(introspectionUrl, { method: 'POST', body: new URLSearchParams({ token }) });
  if (!response.ok) return false;
  const answer = (await response.json()) as { active?: unknown; email?: unknown };
  return answer.active === true && typeof answer.email === 'string' && answer.email.toLowerCase() === username.toLowerCase();
}

function toReceivedMail(raw: Buffer, parsed: ParsedMail, session: SMTPServerSession, authMethod: string | null): ReceivedMail {
  const { mailFrom, rcptTo } = session.envelope;
  return {
    envelopeFrom: mailFrom ? mailFrom.address : '',
    envelopeTo: rcptTo.map((recipient) => recipient.address),
    raw,
    parsed,
    authUser: typeof session.user === 'string' ? session.user : null,
    authMethod,
    secure: session.secure,
    sessionId: session.id,
  };
}
