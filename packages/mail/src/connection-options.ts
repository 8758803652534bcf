/**
 * The channel's encryption setting → how the socket is opened, for imapflow (IMAP) and nodemailer (SMTP).
 *
 * IMAP: 'ssl' and 'tls' both mean TLS from the first byte (port 993 style); 'starttls' connects in plain text and
 * upgrades, refusing a server that does not offer STARTTLS; 'tcp' never encrypts.
 * SMTP: 'ssl' is TLS from the first byte (port 465 style); 'tls' is STARTTLS, required (port 587 style); 'none'
 * never encrypts, even when the server offers STARTTLS.
 */
import type { ImapSettings, SmtpSettings } from '@ensoras/contracts';
import type { ImapFlowOptions } from 'imapflow';
import type { Options as SmtpTransportOptions } from 'nodemailer/lib/smtp-transport';

/**
 * How a connection logs in: the clear-text password (callers open it first), or an OAuth2 access token, sent with
 * SASL XOAUTH2 (imapflow and nodemailer both speak it) for the settings' username.
 */
export type MailCredential = { password: string; accessToken?: undefined } | { accessToken: string; password?: undefined };

/** IMAP settings with their credential. `auth` says which kind the channel uses; the credential given decides. */
export type ImapConnectionSettings = ImapSettings & MailCredential;

/**
 * SMTP settings with the clear-text password. `validateCertificate` is an IMAP setting in the product; SMTP accepts
 * it optionally (default true) so that a channel can use the same choice for both.
 */
/** validateCertificate is optional here: a caller that does not say gets certificates checked. */
export type SmtpConnectionSettings = Omit<SmtpSettings, 'validateCertificate'> & MailCredential & { validateCertificate?: boolean };

/** The secret of a credential, for scrubbing it from texts. */
export function credentialSecret(credential: MailCredential): string {
  return credential.accessToken ?? credential.password;
}

export interface ImapClientExtras {
  /** imapflow logger; false (the default) logs nothing, so credentials can never reach a log. */
  logger?: false | object;
  /** Bound for connecting (DNS, TCP, TLS) and for the server greeting, in ms. Default 30000. */
  timeoutMs?: number;
  /** Inactivity bound for an established connection, in ms. Default 5 minutes, longer than an IDLE round. */
  socketTimeoutMs?: number;
}

export interface SmtpTransportExtras {
  /** Bound for connecting (DNS, TCP, TLS) and for the server greeting, in ms. Default 30000. */
  timeoutMs?: number;
  /** Inactivity bound for an established connection, in ms. Default max(timeoutMs, 60000). */
  socketTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_IMAP_SOCKET_TIMEOUT_MS = 5 * 60_000;
const MIN_SMTP_SOCKET_TIMEOUT_MS = 60_000;

/** True when the IMAP encryption mode speaks TLS from the first byte. */
export function imapUsesImplicitTls(encryption: ImapSettings['encryption']): boolean {
  return encryption === 'ssl' || encryption === 'tls';
}

/** imapflow options for the settings. */
export function imapClientOptions(settings: ImapConnectionSettings, extra: ImapClientExtras = {}): ImapFlowOptions {
  const timeoutMs = extra.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const implicitTls = imapUsesImplicitTls(settings.encryption);
  return {
    host: settings.host,
    port: settings.port,
    secure: implicitTls,
    // starttls: upgrade or fail; tcp: stay in plain text. Irrelevant (and left unset) with implicit TLS.
    ...(implicitTls ? {} : { doSTARTTLS: settings.encryption === 'starttls' }),
    auth:
      settings.accessToken !== undefined
        ? { user: settings.username, accessToken: settings.accessToken }
        : { user: settings.username, pass: settings.password },
    tls: { rejectUnauthorized: settings.validateCertificate },
    logger: (extra.logger ?? false) as ImapFlowOptions['logger'],
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(extra.socketTimeoutMs ?? DEFAULT_IMAP_SOCKET_TIMEOUT_MS, timeoutMs),
  };
}

/** nodemailer SMTP transport options for the settings. */
export function smtpTransportOptions(settings: SmtpConnectionSettings, extra: SmtpTransportExtras = {}): SmtpTransportOptions {
  const timeoutMs = extra.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const mode =
    settings.encryption === 'ssl'
      ? { secure: true }
      : settings.encryption === 'tls'
        ? { secure: false, requireTLS: true }
        : { secure: false, ignoreTLS: true };
  return {
    host: settings.host,
    port: settings.port,
    ...mode,
    // With only an access token (no client id, no refresh token) nodemailer sends it as it is: refreshing is
    // channel-config's job, and a new token builds a new transport.
    auth:
      settings.accessToken !== undefined
        ? { type: 'OAuth2', user: settings.username, accessToken: settings.accessToken }
        : { user: settings.username, pass: settings.password },
    tls: { rejectUnauthorized: settings.validateCertificate ?? true },
    logger: false,
    debug: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(extra.socketTimeoutMs ?? MIN_SMTP_SOCKET_TIMEOUT_MS, timeoutMs),
  };
}
