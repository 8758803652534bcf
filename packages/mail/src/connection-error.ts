/**
 * Turns whatever imapflow, nodemailer or Node's socket layer threw into a ConnectionError an admin can act on:
 * a stable code, a readable message naming host:port, and a hint on what to try. Messages and hints are our own
 * sentences only: never the password, and never text the remote server sent (a server of the admin's choosing
 * could otherwise answer with whatever it wants shown, or echo what it was sent).
 */
import type { ConnectionError, ConnectionErrorCode } from '@ensoras/contracts';
import { AddressNotAllowedError } from './connection-address.js';
import { providerLoginHint } from './provider-presets.js';

export type MailProtocol = 'imap' | 'smtp';

export interface ConnectionTarget {
  host: string;
  port: number;
  encryption: string;
  /** How it logged in; an OAuth2 login that fails gets OAuth advice instead of password advice. Default password. */
  credential?: 'password' | 'oauth2';
}

/** Thrown by the connection test when login worked but INBOX could not be selected. */
export class MailboxUnavailableError extends Error {
  readonly code = 'MAILBOX_UNAVAILABLE';
  constructor(
    readonly mailbox: string,
    options?: { cause?: unknown },
  ) {
    super(`Mailbox ${mailbox} could not be selected`, options);
    this.name = 'MailboxUnavailableError';
  }
}

/** Thrown by the connection test when its overall deadline passed first. */
export class ConnectionDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`);
    this.name = 'ConnectionDeadlineError';
  }
}

/** Node's codes for a certificate the client did not accept. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);
const CERTIFICATE_MESSAGE =
  /self[- ]signed certificate|certificate has expired|certificate is not yet valid|unable to verify the first certificate|unable to get (?:local )?issuer certificate|does not match certificate's altnames|certificate (?:signature failure|revoked|rejected|not trusted)/i;

/** OpenSSL's words for TLS bytes meeting plain text (or the other way round). */
const TLS_MISMATCH_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
]);
const TLS_MISMATCH_MESSAGE =
  /wrong version number|packet length too long|unknown protocol|record layer failure|tls_validate_record_header|ssl3_get_record|socket disconnected before secure TLS connection was established|http request/i;

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'SOCKET_TIMEOUT',
  'ESOCKETTIMEDOUT',
]);
const HOST_NOT_FOUND_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA', 'EDNS']);
const UNREACHABLE_CODES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const PROTOCOL_CODES = new Set([
  'EPROTOCOL',
  'InvalidResponse',
  'UnexpectedTag',
  'MissingTag',
  'ResponseProcessingFailed',
  'LineTooLarge',
  'LiteralTooLarge',
  'ResponseTooLarge',
  'TooManyTokens',
  'TooManyResponses',
  'STARTTLS_INJECTION',
  'MAX_IMAP_NESTING_REACHED',
]);

/** Implicit-TLS ports and plain/STARTTLS ports, for telling a mismatch from a silent server. */
const IMPLICIT_TLS_PORTS: Record<MailProtocol, readonly number[]> = { imap: [993], smtp: [465] };
const PLAIN_PORTS: Record<MailProtocol, readonly number[]> = { imap: [143], smtp: [25, 587, 2525] };

/** The facts gathered from an error and everything it wraps. */
interface ErrorFacts {
  codes: Set<string>;
  messages: string[];
  text: string;
  authenticationFailed: boolean;
  tlsFailed: boolean;
  command: string | null;
  responseCode: number | null;
  mailboxUnavailable: boolean;
  deadline: boolean;
  addressNotAllowed: boolean;
  /** Our own sentence when the OAuth grant behind the login was revoked. */
  revokedGrant: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function collectFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = {
    codes: new Set(),
    messages: [],
    text: '',
    authenticationFailed: false,
    tlsFailed: false,
    command: null,
    responseCode: null,
    mailboxUnavailable: false,
    deadline: false,
    addressNotAllowed: false,
    revokedGrant: null,
  };
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || seen.has(value)) return;
    seen.add(value);
    if (typeof value === 'string') {
      facts.messages.push(value);
      return;
    }
    if (!isObject(value)) return;
    if (value instanceof MailboxUnavailableError) facts.mailboxUnavailable = true;
    if (value instanceof ConnectionDeadlineError) facts.deadline = true;
    if (value instanceof AddressNotAllowedError) facts.addressNotAllowed = true;
    // By its code, not its class: the credential module builds on this one.
    if (value.code === 'OAUTH_GRANT_REVOKED' && typeof value.message === 'string') facts.revokedGrant = value.message;
    for (const key of ['code', 'originalCode', 'serverResponseCode', 'timeoutType', 'reason'] as const) {
      const code = value[key];
      if (typeof code === 'string' && code !== '') facts.codes.add(code);
    }
    if (typeof value.message === 'string') facts.messages.push(value.message);
    if (typeof value.responseText === 'string') facts.messages.push(value.responseText);
    if (value.authenticationFailed === true) facts.authenticationFailed = true;
    if (value.tlsFailed === true) facts.tlsFailed = true;
    if (value.mailboxMissing === true) facts.mailboxUnavailable = true;
    if (facts.command === null && typeof value.command === 'string') facts.command = value.command.toUpperCase();
    if (facts.responseCode === null && typeof value.responseCode === 'number') facts.responseCode = value.responseCode;
    if (typeof value.response === 'string') facts.messages.push(value.response);
    for (const key of ['cause', '_err', 'parserError', 'error'] as const) visit(value[key], depth + 1);
    if (Array.isArray(value.errors)) for (const inner of value.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  facts.text = facts.messages.join(' | ');
  return facts;
}

const hasCode = (facts: ErrorFacts, codes: ReadonlySet<string>): boolean => [...facts.codes].some((code) => codes.has(code));

/** Which code the facts point at, most specific first. */
function codeFor(facts: ErrorFacts, protocol: MailProtocol, target: ConnectionTarget | undefined): ConnectionErrorCode {
  if (facts.addressNotAllowed || facts.codes.has('ADDRESS_NOT_ALLOWED')) return 'address_not_allowed';
  if (facts.mailboxUnavailable) return 'mailbox_unavailable';
  if (hasCode(facts, CERTIFICATE_CODES) || CERTIFICATE_MESSAGE.test(facts.text)) return 'certificate_rejected';
  if (isTemporaryAuthenticationFailure(facts)) return 'auth_unavailable';
  if (
    facts.authenticationFailed ||
    facts.codes.has('EAUTH') ||
    facts.codes.has('ENOAUTH') ||
    facts.codes.has('AUTHENTICATIONFAILED') ||
    /authentication failed|invalid credentials|username and password not accepted/i.test(facts.text)
  ) {
    return 'auth_failed';
  }
  if (isStarttlsUnsupported(facts)) return 'starttls_unsupported';
  if (hasCode(facts, TLS_MISMATCH_CODES) || TLS_MISMATCH_MESSAGE.test(facts.text)) return 'tls_mismatch';
  if (facts.codes.has('ECONNREFUSED')) return 'connection_refused';
  if (hasCode(facts, HOST_NOT_FOUND_CODES) || /getaddrinfo|ENOTFOUND/i.test(facts.text)) return 'host_not_found';
  if (facts.deadline || hasCode(facts, TIMEOUT_CODES) || /timed? ?out/i.test(facts.text)) {
    return looksLikePortMismatch(protocol, target) ? 'tls_mismatch' : 'timeout';
  }
  if (facts.codes.has('ECONNRESET') || facts.codes.has('EPIPE')) {
    // A reset while TLS is being negotiated is what a plain-text server does to a ClientHello.
    if (facts.tlsFailed || usesImplicitTls(protocol, target) || looksLikePortMismatch(protocol, target)) return 'tls_mismatch';
    return 'protocol_error';
  }
  if (facts.codes.has('ClosedAfterConnectText') || facts.codes.has('ClosedAfterConnectTLS')) {
    return looksLikePortMismatch(protocol, target) ? 'tls_mismatch' : 'protocol_error';
  }
  if (hasCode(facts, UNREACHABLE_CODES)) return 'connection_refused';
  if (
    hasCode(facts, PROTOCOL_CODES) ||
    [...facts.codes].some((code) => code.startsWith('ParserError')) ||
    facts.codes.has('ECONNECTION') ||
    facts.codes.has('EConnectionClosed') ||
    facts.codes.has('NoConnection')
  ) {
    return 'protocol_error';
  }
  return 'unknown';
}

/**
 * A login the server could not check just now, rather than one it rejected: RFC 4954's 4xx answer to AUTH (454 4.7.0
 * "Temporary authentication failure", also a provider's throttling), RFC 5530's [UNAVAILABLE], or Dovecot's words for
 * an authentication backend that is down. Counting these as rejections would pause a mailbox whose password is right.
 */
function isTemporaryAuthenticationFailure(facts: ErrorFacts): boolean {
  if (facts.revokedGrant) return false;
  if (facts.codes.has('UNAVAILABLE')) return true;
  if (facts.codes.has('EAUTH') && facts.responseCode !== null && facts.responseCode >= 400 && facts.responseCode < 500) return true;
  return /temporary authentication failure/i.test(facts.text);
}

function isStarttlsUnsupported(facts: ErrorFacts): boolean {
  if (/does not support STARTTLS|STARTTLS is not possible|STARTTLS is required but not|does not support required STARTTLS/i.test(facts.text)) {
    return true;
  }
  // nodemailer with requireTLS sends STARTTLS regardless; a 5xx reply to it means the server has none.
  return (
    facts.command === 'STARTTLS' &&
    (facts.codes.has('ETLS') || facts.codes.has('ECONNECTION')) &&
    facts.responseCode !== null &&
    facts.responseCode >= 500
  );
}

function usesImplicitTls(protocol: MailProtocol, target: ConnectionTarget | undefined): boolean {
  if (!target) return false;
  return protocol === 'imap' ? target.encryption === 'ssl' || target.encryption === 'tls' : target.encryption === 'ssl';
}

/** The encryption setting does not fit a well-known port (plain text to 993/465, implicit TLS to 143/587/25). */
function looksLikePortMismatch(protocol: MailProtocol, target: ConnectionTarget | undefined): boolean {
  if (!target) return false;
  const implicit = usesImplicitTls(protocol, target);
  if (implicit) return PLAIN_PORTS[protocol].includes(target.port);
  return IMPLICIT_TLS_PORTS[protocol].includes(target.port);
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const PROTOCOL_NAMES: Record<MailProtocol, string> = { imap: 'IMAP', smtp: 'SMTP' };

const ENCRYPTION_ADVICE =
  'Port 993 expects SSL/TLS, port 143 StartTLS or TCP; for SMTP 465 expects SSL, 587 TLS (STARTTLS), 25 None or TLS.';

function describe(
  code: ConnectionErrorCode,
  protocol: MailProtocol,
  target: ConnectionTarget | undefined,
  facts: ErrorFacts,
): { message: string; hint: string } {
  const name = PROTOCOL_NAMES[protocol];
  const where = target ? `${target.host}:${target.port}` : 'the server';
  const server = `the ${name} server at ${where}`;
  switch (code) {
    case 'address_not_allowed':
      return {
        message: `The ${name} host${target ? ` ${target.host}` : ''} is, or resolves to, a link-local or cloud-metadata address; it is not contacted.`,
        hint: 'Use the address of the mail server itself. Link-local (169.254.0.0/16, fe80::/10) and cloud-metadata addresses are refused; loopback and private networks are fine.',
      };
    case 'auth_failed':
      if (facts.revokedGrant) {
        return { message: `${capitalize(facts.revokedGrant.replace(/\.$/, ''))}.`, hint: 'An admin connects the mailbox again (OAuth), which stores a new grant.' };
      }
      if (target?.credential === 'oauth2') {
        return {
          message: `${capitalize(server)} rejected the OAuth2 access token for this username.`,
          hint: 'Check that the username is the connected account and that IMAP/SMTP access is allowed for it; connect the mailbox again if its grant was withdrawn.',
        };
      }
      return {
        message: `${capitalize(server)} rejected the username or password.`,
        hint:
          (target && providerLoginHint(target.host)) ??
          'Check the username and password. Many providers want an app password for mail clients, not the account password.',
      };
    case 'auth_unavailable':
      return {
        message: `${capitalize(server)} could not check the login just now (a temporary authentication failure on its side).`,
        hint: 'Nothing needs changing if the username and password are right: the channel tries again with back-off and does not pause for this. If it lasts, check the provider\'s status page.',
      };
    case 'certificate_rejected':
      return {
        message: `The TLS certificate of ${server} was not accepted.`,
        hint:
          protocol === 'imap'
            ? 'The certificate is self-signed, expired or issued for another host name. Use the host name the certificate names, or turn off "Validate SSL Certificate" if you trust this server.'
            : 'The certificate is self-signed, expired or issued for another host name. Use the host name the certificate names, or turn off certificate validation if you trust this server.',
      };
    case 'tls_mismatch':
      return {
        message: `The encryption setting${target ? ` "${target.encryption}"` : ''} does not fit ${server}: one side spoke TLS, the other plain text.`,
        hint: `Choose the encryption that matches the port. ${ENCRYPTION_ADVICE}`,
      };
    case 'starttls_unsupported':
      return {
        message: `${capitalize(server)} does not offer STARTTLS.`,
        hint:
          protocol === 'imap'
            ? 'Use SSL/TLS if the server offers it (usually port 993), or TCP only on a trusted network.'
            : 'Use SSL if the server offers it (usually port 465), or None only on a trusted network.',
      };
    case 'connection_refused':
      return {
        message: `Could not connect to ${server}: the connection was refused or the host is unreachable.`,
        hint: `Check the host and port, and that no firewall blocks the port. ${ENCRYPTION_ADVICE}`,
      };
    case 'timeout':
      return {
        message: facts.codes.has('GREETING_TIMEOUT')
          ? `${capitalize(server)} accepted the connection but sent no greeting in time.`
          : `${capitalize(server)} did not answer in time.`,
        hint: `Check the host and port, and that no firewall drops the connection. A wrong encryption setting can also leave the server silent: ${ENCRYPTION_ADVICE}`,
      };
    case 'host_not_found':
      return {
        message: target ? `The host name ${target.host} could not be resolved.` : 'The host name could not be resolved.',
        hint: `Check the spelling of the ${name} host, e.g. ${protocol === 'imap' ? 'imap.gmail.com' : 'smtp.gmail.com'}.`,
      };
    case 'mailbox_unavailable':
      return {
        message: `Logged in to ${server}, but the INBOX could not be opened.`,
        hint: 'Check that the account has an INBOX and that IMAP access is enabled for it.',
      };
    case 'protocol_error':
      return {
        message: `${capitalize(server)} answered in an unexpected way.`,
        hint: `Check that the port belongs to an ${name} server and that the encryption setting fits it. ${ENCRYPTION_ADVICE}`,
      };
    case 'unknown':
      return {
        message: `Connecting to ${server} failed.`,
        hint: 'Check host, port, encryption and credentials, then try again.',
      };
  }
}

/**
 * A ConnectionError for an error from imapflow, nodemailer or the socket layer. The message names host:port when the
 * settings are given; neither message nor hint ever contains the password or anything the server said.
 */
export function classifyConnectionError(error: unknown, protocol: MailProtocol, settings?: ConnectionTarget): ConnectionError {
  const target = settings ? { host: settings.host, port: settings.port, encryption: settings.encryption, credential: settings.credential } : undefined;
  const facts = collectFacts(error);
  const code = codeFor(facts, protocol, target);
  return { code, ...describe(code, protocol, target, facts) };
}

/** Removes every occurrence of a secret from a text (defence in depth for messages built from server replies). */
export function withoutSecret(text: string, secret: string | null | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}
