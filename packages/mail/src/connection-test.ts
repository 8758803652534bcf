/**
 * The Test Connection button: a real IMAP login plus SELECT INBOX, and a real SMTP EHLO plus AUTH.
 * Each is bounded by a deadline, never throws, and never logs or returns the password or the server's own words.
 * The host is resolved first and refused when it is link-local or a cloud-metadata address; the connection then
 * goes to the address checked (TLS still verifies the host name), so DNS cannot switch it in between.
 */
import type { ConnectionCheck, ConnectionError } from '@ensoras/contracts';
import { isIP } from 'node:net';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import {
  classifyConnectionError,
  ConnectionDeadlineError,
  MailboxUnavailableError,
  withoutSecret,
  type MailProtocol,
} from './connection-error.js';
import { resolveAllowedAddress } from './connection-address.js';
import {
  credentialSecret,
  imapClientOptions,
  type MailCredential,
  smtpTransportOptions,
  type ImapConnectionSettings,
  type SmtpConnectionSettings,
} from './connection-options.js';

export const DEFAULT_CONNECTION_TEST_TIMEOUT_MS = 10_000;

export interface ConnectionTestOptions {
  /** Upper bound for the whole check, in ms. Default 10000. */
  timeoutMs?: number;
}

/**
 * Runs `attempt` against a deadline. `abort` is called when the deadline passes first, to tear the connection down;
 * the attempt's later failure is then ignored.
 */
async function withDeadline<T>(attempt: () => Promise<T>, abort: () => void, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(new ConnectionDeadlineError(timeoutMs));
    }, timeoutMs);
  });
  const running = attempt();
  running.catch(() => undefined); // settled late, after the deadline: nobody is waiting any more
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The checked address and what is left of the deadline for the connection itself. */
async function resolveWithin(host: string, timeoutMs: number): Promise<{ address: string; servername: string | undefined; remainingMs: number }> {
  const started = Date.now();
  const address = await withDeadline(() => resolveAllowedAddress(host), () => undefined, timeoutMs);
  return { address, servername: isIP(host) ? undefined : host, remainingMs: Math.max(100, timeoutMs - (Date.now() - started)) };
}

function failed(
  error: unknown,
  protocol: MailProtocol,
  settings: { host: string; port: number; encryption: string } & MailCredential,
): ConnectionCheck {
  const credential = settings.accessToken !== undefined ? 'oauth2' : 'password';
  const classified: ConnectionError = classifyConnectionError(error, protocol, { ...settings, credential });
  const secret = credentialSecret(settings);
  return {
    ok: false,
    error: {
      code: classified.code,
      message: withoutSecret(classified.message, secret),
      hint: withoutSecret(classified.hint, secret),
    },
  };
}

/** The library's own timeouts fire a little before the overall deadline, so their more specific errors win. */
const libraryTimeout = (timeoutMs: number): number => Math.max(100, Math.floor(timeoutMs * 0.9));

/** Logs in to the IMAP server and selects INBOX. */
export async function testImapConnection(
  settings: ImapConnectionSettings,
  options: ConnectionTestOptions = {},
): Promise<ConnectionCheck> {
  let client: ImapFlow | undefined;
  try {
    const { address, servername, remainingMs: timeoutMs } = await resolveWithin(
      settings.host,
      options.timeoutMs ?? DEFAULT_CONNECTION_TEST_TIMEOUT_MS,
    );
    client = new ImapFlow({
      ...imapClientOptions(settings, { timeoutMs: libraryTimeout(timeoutMs), logger: false }),
      host: address,
      ...(servername ? { servername } : {}),
      disableAutoIdle: true,
    });
    const connection = client;
    // imapflow reports socket trouble as 'error' events too; the awaited calls carry the same failure.
    connection.on('error', () => undefined);
    await withDeadline(
      async () => {
        await connection.connect();
        try {
          await connection.mailboxOpen('INBOX');
        } catch (error) {
          if (!connection.usable) throw error; // the connection broke; that is not the mailbox's fault
          throw new MailboxUnavailableError('INBOX', { cause: error });
        }
        await connection.logout();
      },
      () => connection.close(),
      timeoutMs,
    );
    return { ok: true };
  } catch (error) {
    return failed(error, 'imap', settings);
  } finally {
    try {
      client?.close();
    } catch {
      // already closed
    }
  }
}

/** Connects to the SMTP server, says EHLO, negotiates TLS as configured and authenticates (nodemailer verify). */
export async function testSmtpConnection(
  settings: SmtpConnectionSettings & { validateCertificate?: boolean },
  options: ConnectionTestOptions = {},
): Promise<ConnectionCheck> {
  let transport: ReturnType<typeof createTransport> | undefined;
  try {
    const { address, servername, remainingMs: timeoutMs } = await resolveWithin(
      settings.host,
      options.timeoutMs ?? DEFAULT_CONNECTION_TEST_TIMEOUT_MS,
    );
    transport = createTransport({
      ...smtpTransportOptions(settings, { timeoutMs: libraryTimeout(timeoutMs) }),
      host: address,
      ...(servername ? { servername } : {}),
    });
    const connection = transport;
    await withDeadline(
      async () => {
        await connection.verify();
      },
      () => connection.close(),
      timeoutMs,
    );
    return { ok: true };
  } catch (error) {
    return failed(error, 'smtp', settings);
  } finally {
    try {
      transport?.close();
    } catch {
      // already closed
    }
  }
}
