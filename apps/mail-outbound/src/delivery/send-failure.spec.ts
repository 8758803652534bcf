import { describe, expect, it } from 'vitest';
import { classifySendError } from './send-failure.js';

const target = { host: 'smtp.shop.example', port: 587, encryption: 'tls' };

/** An error shaped as nodemailer 10 throws it (fields observed against smtp-server and closed ports). */
function nodemailerError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('classifySendError', () => {
  describe('transient: the next attempt may work', () => {
    it.each([
      ['connection refused', nodemailerError('connect ECONNREFUSED 127.0.0.1:587', { code: 'ESOCKET', command: 'CONN', errno: -111, syscall: 'connect' }), 'connection_refused'],
      ['greeting timeout', nodemailerError('Greeting never received', { code: 'ETIMEDOUT', command: 'CONN' }), 'timeout'],
      ['host not resolvable right now', nodemailerError('getaddrinfo ENOTFOUND smtp.shop.example', { code: 'EDNS', command: 'CONN' }), 'host_not_found'],
      ['4xx to RCPT', nodemailerError("Can't send mail - all recipients were rejected: 451 try later", { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 try later' }), 'temporarily_rejected'],
      ['421 service closing', nodemailerError('Data command failed: 421 too busy', { code: 'EMESSAGE', responseCode: 421, command: 'DATA', response: '421 too busy' }), 'temporarily_rejected'],
      ['connection dropped', nodemailerError('Connection closed unexpectedly', { code: 'ECONNECTION' }), undefined],
    ])('%s', (_label, error, code) => {
      const failure = classifySendError(error, target);
      expect(failure.permanent).toBe(false);
      if (code) expect(failure.code).toBe(code);
      expect(failure.reason).not.toBe('');
    });
  });

  describe('permanent: only a change of settings or of the mail helps', () => {
    it.each([
      ['wrong password', nodemailerError('Invalid login: 535 Invalid username or password', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 Invalid username or password' }), 'auth_failed'],
      ['recipient unknown', nodemailerError("Can't send mail - all recipients were rejected: 550 no such user", { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 no such user' }), 'recipient_rejected'],
      ['sender refused', nodemailerError('Mail command failed: 553 not your address', { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 not your address' }), 'sender_rejected'],
      ['content refused', nodemailerError('Message failed: 554 spam', { code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 spam' }), 'message_rejected'],
      ['no STARTTLS although required', nodemailerError('Error upgrading connection with STARTTLS: 500 Error: command not recognized', { code: 'ETLS', responseCode: 500, command: 'STARTTLS', response: '500 Error: command not recognized' }), 'starttls_unsupported'],
      ['certificate not accepted', nodemailerError('certificate has expired', { code: 'ESOCKET', command: 'CONN' }), 'certificate_rejected'],
      ['TLS spoken to a plain port', nodemailerError('error:0A00010B:SSL routines:ssl3_get_record:wrong version number', { code: 'ESOCKET', command: 'CONN' }), 'tls_mismatch'],
      ['mail nodemailer refuses to build', nodemailerError('No recipients defined', { code: 'EENVELOPE' }), 'invalid_message'],
    ])('%s', (_label, error, code) => {
      const failure = classifySendError(error, target);
      expect(failure).toMatchObject({ code, permanent: true });
    });
  });

  it('names the server and quotes its reply', () => {
    const failure = classifySendError(
      nodemailerError("Can't send mail - all recipients were rejected: 550 5.1.1 user unknown", { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 user unknown' }),
      target,
    );
    expect(failure.reason).toContain('smtp.shop.example:587');
    expect(failure.reason).toContain('550 5.1.1 user unknown');
  });

  it('a temporary authentication problem (454) is retried', () => {
    const failure = classifySendError(
      nodemailerError('Invalid login: 454 4.7.0 Temporary authentication failure', { code: 'EAUTH', responseCode: 454, command: 'AUTH PLAIN', response: '454 4.7.0 Temporary authentication failure' }),
      target,
    );
    expect(failure).toMatchObject({ code: 'auth_unavailable', permanent: false });
    expect(failure.reason).toMatch(/could not check the login just now/);
  });
});
