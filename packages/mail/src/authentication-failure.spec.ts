import { describe, expect, it } from 'vitest';
import { AuthenticationRejectedError, authenticationFailureReason } from './authentication-failure.js';

const target = { host: 'imap.shop.test', port: 993, encryption: 'ssl' };

describe('authenticationFailureReason', () => {
  it("names a rejected login, in our words and not the server's", () => {
    const imapflow = Object.assign(new Error('Command failed'), { authenticationFailed: true, responseText: 'Invalid credentials (Failure) s3cret' });
    const reason = authenticationFailureReason(imapflow, 'imap', target);
    expect(reason).toMatch(/IMAP server at imap\.shop\.test:993 rejected the username or password/);
    expect(reason).not.toContain('s3cret');
    const nodemailer = Object.assign(new Error('Invalid login: 535 5.7.8 Authentication failed'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
    expect(authenticationFailureReason(nodemailer, 'smtp', { host: 'smtp.shop.test', port: 587, encryption: 'tls' })).toMatch(/SMTP server at smtp\.shop\.test:587 rejected/);
  });

  it('keeps the sentence of a rejection raised before any server was asked (a revoked grant), also when wrapped', () => {
    const revoked = new AuthenticationRejectedError('The Google grant was revoked: connect the mailbox again.');
    expect(authenticationFailureReason(revoked, 'smtp')).toBe('The Google grant was revoked: connect the mailbox again.');
    expect(authenticationFailureReason(new Error('connect failed', { cause: revoked }), 'imap')).toBe('The Google grant was revoked: connect the mailbox again.');
  });

  it('is null for failures that are not about the credentials', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:993'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('Greeting never received'), { code: 'GREETING_TIMEOUT' }),
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      new Error('The IMAP server closed the connection'),
      // Not checked, rather than rejected: retried, never a step towards a pause.
      Object.assign(new Error('Command failed'), { authenticationFailed: true, serverResponseCode: 'UNAVAILABLE', responseText: 'Temporary authentication failure.' }),
      Object.assign(new Error('Invalid login: 454 4.7.0 Temporary authentication failure'), { code: 'EAUTH', responseCode: 454, command: 'AUTH PLAIN' }),
    ]) {
      expect(authenticationFailureReason(error, 'imap', target)).toBeNull();
    }
  });
});
