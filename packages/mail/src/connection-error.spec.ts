import { describe, expect, it } from 'vitest';
import {
  classifyConnectionError,
  ConnectionDeadlineError,
  MailboxUnavailableError,
  withoutSecret,
} from './connection-error.js';

const withProps = (message: string, props: Record<string, unknown>): Error => Object.assign(new Error(message), props);

const imapSsl = { host: 'imap.example.com', port: 993, encryption: 'ssl' };
const imapPlain = { host: 'imap.example.com', port: 143, encryption: 'starttls' };
const smtpTls = { host: 'smtp.example.com', port: 587, encryption: 'tls' };

describe('classifyConnectionError', () => {
  it.each<[string, unknown, 'imap' | 'smtp', { host: string; port: number; encryption: string }, string]>([
    // authentication
    [
      'imapflow authentication failure',
      withProps('Command failed', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'Authentication failed.' }),
      'imap',
      imapSsl,
      'auth_failed',
    ],
    [
      'nodemailer EAUTH',
      withProps('Invalid login: 535 5.7.8 Error: authentication failed', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }),
      'smtp',
      smtpTls,
      'auth_failed',
    ],
    // the server could not check the login just now
    [
      'imapflow [UNAVAILABLE]',
      withProps('Command failed', { authenticationFailed: true, serverResponseCode: 'UNAVAILABLE', responseText: 'Temporary authentication failure.' }),
      'imap',
      imapSsl,
      'auth_unavailable',
    ],
    [
      'imapflow, Dovecot without a response code',
      withProps('Command failed', { authenticationFailed: true, responseText: 'Temporary authentication failure. [mail:2026-12-03 21:40:01]' }),
      'imap',
      imapSsl,
      'auth_unavailable',
    ],
    [
      'nodemailer EAUTH 454',
      withProps('Invalid login: 454 4.7.0 Temporary authentication failure', { code: 'EAUTH', responseCode: 454, command: 'AUTH PLAIN' }),
      'smtp',
      smtpTls,
      'auth_unavailable',
    ],
    [
      'nodemailer EAUTH 454, a provider throttling logins',
      withProps('Invalid login: 454 4.7.0 Too many login attempts, please try again later.', { code: 'EAUTH', responseCode: 454, command: 'AUTH XOAUTH2' }),
      'smtp',
      smtpTls,
      'auth_unavailable',
    ],
    // certificates
    ['self-signed', withProps('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'imap', imapSsl, 'certificate_rejected'],
    ['chain', withProps('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'imap', imapSsl, 'certificate_rejected'],
    ['expired', withProps('certificate has expired', { code: 'CERT_HAS_EXPIRED' }), 'imap', imapSsl, 'certificate_rejected'],
    [
      'host name mismatch',
      withProps("Hostname/IP does not match certificate's altnames: Host: imap.example.com. is not in the cert's altnames: DNS:other.example", {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
      'imap',
      imapSsl,
      'certificate_rejected',
    ],
    ['leaf', withProps('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'smtp', smtpTls, 'certificate_rejected'],
    [
      'nodemailer wraps the TLS error after STARTTLS',
      withProps('Error initiating TLS - self-signed certificate', { code: 'ETLS', command: 'STARTTLS', cause: withProps('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) }),
      'smtp',
      smtpTls,
      'certificate_rejected',
    ],
    // TLS spoken to a plain port, or the reverse
    [
      'wrong version number',
      withProps('C0:5A:24:36:4C:7F:00:00:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      'imap',
      imapSsl,
      'tls_mismatch',
    ],
    ['packet length too long', withProps('error:0A0000C6:SSL routines:tls_get_more_records:packet length too long', { code: 'ERR_SSL_PACKET_LENGTH_TOO_LONG' }), 'smtp', { ...smtpTls, encryption: 'ssl' }, 'tls_mismatch'],
    [
      'reset during the handshake',
      withProps('Client network socket disconnected before secure TLS connection was established', { code: 'ECONNRESET' }),
      'imap',
      imapSsl,
      'tls_mismatch',
    ],
    ['greeting timeout, plain text to port 993', withProps('Failed to receive greeting from server in required time', { code: 'GREETING_TIMEOUT' }), 'imap', { ...imapPlain, port: 993 }, 'tls_mismatch'],
    ['greeting timeout, SSL to port 587', withProps('Greeting never received', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }), 'smtp', { ...smtpTls, encryption: 'ssl' }, 'tls_mismatch'],
    // STARTTLS
    ['imapflow required STARTTLS missing', withProps('Server does not support STARTTLS', { tlsFailed: true }), 'imap', imapPlain, 'starttls_unsupported'],
    [
      'nodemailer requireTLS refused',
      withProps('Error upgrading connection with STARTTLS', { code: 'ETLS', command: 'STARTTLS', responseCode: 502, response: '502 5.5.1 Unrecognized command' }),
      'smtp',
      smtpTls,
      'starttls_unsupported',
    ],
    // sockets and DNS
    ['refused', withProps('connect ECONNREFUSED 127.0.0.1:993', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }), 'imap', imapSsl, 'connection_refused'],
    ['nodemailer refused', withProps('connect ECONNREFUSED 127.0.0.1:587', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }), 'smtp', smtpTls, 'connection_refused'],
    ['unreachable', withProps('connect EHOSTUNREACH 10.0.0.1:993', { code: 'EHOSTUNREACH' }), 'imap', imapSsl, 'connection_refused'],
    ['ENOTFOUND', withProps('getaddrinfo ENOTFOUND no-such-host.invalid', { code: 'ENOTFOUND' }), 'imap', imapSsl, 'host_not_found'],
    ['EAI_AGAIN', withProps('getaddrinfo EAI_AGAIN imap.example.com', { code: 'EAI_AGAIN' }), 'imap', imapSsl, 'host_not_found'],
    ['nodemailer EDNS', withProps('getaddrinfo ENOTFOUND smtp.example.com', { code: 'EDNS', originalCode: 'ENOTFOUND' }), 'smtp', smtpTls, 'host_not_found'],
    // timeouts
    ['ETIMEDOUT', withProps('connect ETIMEDOUT 10.0.0.1:993', { code: 'ETIMEDOUT' }), 'imap', imapSsl, 'timeout'],
    ['imapflow connect timeout', withProps('Connection timed out', { code: 'CONNECT_TIMEOUT' }), 'imap', imapSsl, 'timeout'],
    ['imapflow greeting timeout on an ordinary port', withProps('Failed to receive greeting', { code: 'GREETING_TIMEOUT' }), 'imap', { ...imapPlain, port: 10143 }, 'timeout'],
    ['nodemailer greeting timeout', withProps('Greeting never received', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }), 'smtp', smtpTls, 'timeout'],
    ['our own deadline', new ConnectionDeadlineError(1500), 'imap', imapSsl, 'timeout'],
    // mailbox
    ['SELECT INBOX failed', new MailboxUnavailableError('INBOX', { cause: withProps('Command failed', { responseStatus: 'NO' }) }), 'imap', imapSsl, 'mailbox_unavailable'],
    ['imapflow mailboxMissing', withProps('Command failed', { mailboxMissing: true }), 'imap', imapSsl, 'mailbox_unavailable'],
    // protocol
    ['nodemailer EPROTOCOL', withProps('Invalid greeting. response=HTTP/1.1 400 Bad Request', { code: 'EPROTOCOL' }), 'smtp', smtpTls, 'protocol_error'],
    ['imapflow parser error', withProps('Unexpected char', { code: 'ParserError3' }), 'imap', imapSsl, 'protocol_error'],
    ['connection closed', withProps('Connection closed unexpectedly', { code: 'ECONNECTION' }), 'smtp', smtpTls, 'protocol_error'],
    // unknown
    ['anything else', new Error('something odd'), 'imap', imapSsl, 'unknown'],
    ['a string', 'boom', 'imap', imapSsl, 'unknown'],
    ['null', null, 'smtp', smtpTls, 'unknown'],
  ])('%s → %s', (_name, error, protocol, settings, code) => {
    expect(classifyConnectionError(error, protocol, settings).code).toBe(code);
  });

  it('names host:port in the message and gives a hint', () => {
    const result = classifyConnectionError(withProps('connect ECONNREFUSED', { code: 'ECONNREFUSED' }), 'imap', imapSsl);
    expect(result.message).toContain('imap.example.com:993');
    expect(result.message).toContain('IMAP');
    expect(result.hint.length).toBeGreaterThan(10);
  });

  it('hints at app passwords when the login fails on a server it does not know', () => {
    const result = classifyConnectionError(withProps('Invalid login', { code: 'EAUTH' }), 'smtp', smtpTls);
    expect(result.hint).toBe('Check the username and password. Many providers want an app password for mail clients, not the account password.');
  });

  it("names the provider's own fix when the login fails on a known provider", () => {
    const failed = withProps('Invalid login', { code: 'EAUTH' });
    expect(classifyConnectionError(failed, 'smtp', { host: 'smtp.gmail.com', port: 465, encryption: 'ssl' }).hint).toContain('App Password');
    expect(classifyConnectionError(failed, 'imap', { host: 'outlook.office365.com', port: 993, encryption: 'ssl' }).hint).toContain(
      'connect with Microsoft (OAuth2)',
    );
    expect(classifyConnectionError(failed, 'imap', { host: 'IMAP.mail.me.com', port: 993, encryption: 'ssl' }).hint).toContain(
      'app-specific password',
    );
  });

  it('explains ports when encryption and port do not fit', () => {
    const result = classifyConnectionError(withProps('wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'imap', imapSsl);
    expect(result.hint).toContain('Port 993 expects SSL/TLS, port 143 StartTLS or TCP; for SMTP 465 expects SSL, 587 TLS');
  });

  it('works without settings', () => {
    const result = classifyConnectionError(withProps('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND' }), 'smtp');
    expect(result.code).toBe('host_not_found');
    expect(result.message).not.toContain('undefined');
  });

  it('never repeats what the server said, in any code', () => {
    const said = 'SERVER-SAID-7f3a9c';
    const errors: Array<[unknown, 'imap' | 'smtp']> = [
      [withProps(`Command failed ${said}`, { authenticationFailed: true, responseText: said }), 'imap'],
      [withProps(`Invalid login: 535 ${said}`, { code: 'EAUTH', response: `535 ${said}` }), 'smtp'],
      [withProps(`self-signed certificate ${said}`, { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'imap'],
      [new MailboxUnavailableError('INBOX', { cause: withProps(said, { responseText: said }) }), 'imap'],
      [withProps(`Unexpected ${said}`, { code: 'EPROTOCOL', response: said }), 'smtp'],
      [withProps(said, {}), 'smtp'],
    ];
    for (const [error, protocol] of errors) {
      const result = classifyConnectionError(error, protocol, protocol === 'imap' ? imapSsl : smtpTls);
      expect(JSON.stringify(result), result.code).not.toContain(said);
      expect(result.hint.length, result.code).toBeGreaterThan(10);
    }
  });

  it('never repeats credentials sent in a command', () => {
    const result = classifyConnectionError(withProps('Unexpected reply to AUTH PLAIN AHN1cHBvcnQAc2VjcmV0', { code: 'EPROTOCOL' }), 'smtp', smtpTls);
    expect(result.message).not.toContain('AHN1cHBvcnQAc2VjcmV0');
  });
});

describe('withoutSecret', () => {
  it('removes every occurrence of the secret', () => {
    expect(withoutSecret('pw hunter2 and hunter2', 'hunter2')).toBe('pw *** and ***');
    expect(withoutSecret('nothing', '')).toBe('nothing');
  });
});
