import type { ImapEncryption, SmtpEncryption } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import {
  imapClientOptions,
  smtpTransportOptions,
  type ImapConnectionSettings,
  type SmtpConnectionSettings,
} from './connection-options.js';

const imap = (encryption: ImapEncryption, overrides: Partial<ImapConnectionSettings & { password: string }> = {}): ImapConnectionSettings => ({
  host: 'imap.example.com',
  port: 993,
  encryption,
  username: 'support@example.com',
  password: 'secret-pass',
  validateCertificate: true,
  markAsRead: false,
  ...overrides,
});

const smtp = (encryption: SmtpEncryption, overrides: Partial<SmtpConnectionSettings & { password: string }> = {}): SmtpConnectionSettings => ({
  host: 'smtp.example.com',
  port: 587,
  encryption,
  username: 'support@example.com',
  password: 'secret-pass',
  ...overrides,
});

describe('imapClientOptions', () => {
  it.each<[ImapEncryption, { secure: boolean; doSTARTTLS: boolean | undefined }]>([
    ['ssl', { secure: true, doSTARTTLS: undefined }],
    ['tls', { secure: true, doSTARTTLS: undefined }],
    ['starttls', { secure: false, doSTARTTLS: true }],
    ['tcp', { secure: false, doSTARTTLS: false }],
  ])('%s → secure %o', (encryption, expected) => {
    const options = imapClientOptions(imap(encryption));
    expect(options.secure).toBe(expected.secure);
    expect(options.doSTARTTLS).toBe(expected.doSTARTTLS);
  });

  it('passes host, port and credentials', () => {
    const options = imapClientOptions(imap('ssl', { port: 1993 }));
    expect(options).toMatchObject({
      host: 'imap.example.com',
      port: 1993,
      auth: { user: 'support@example.com', pass: 'secret-pass' },
    });
  });

  it.each([true, false])('maps validateCertificate %s to tls.rejectUnauthorized', (validateCertificate) => {
    expect(imapClientOptions(imap('ssl', { validateCertificate })).tls?.rejectUnauthorized).toBe(validateCertificate);
    expect(imapClientOptions(imap('starttls', { validateCertificate })).tls?.rejectUnauthorized).toBe(validateCertificate);
  });

  it('logs nothing unless given a logger', () => {
    expect(imapClientOptions(imap('ssl')).logger).toBe(false);
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(imapClientOptions(imap('ssl'), { logger }).logger).toBe(logger);
  });

  it('derives the timeouts from timeoutMs', () => {
    const options = imapClientOptions(imap('ssl'), { timeoutMs: 5000 });
    expect(options.connectionTimeout).toBe(5000);
    expect(options.greetingTimeout).toBe(5000);
    expect(options.socketTimeout).toBeGreaterThanOrEqual(5000);
  });

  it('has sensible default timeouts, with a socket timeout longer than an IDLE pause', () => {
    const options = imapClientOptions(imap('ssl'));
    expect(options.connectionTimeout).toBe(30_000);
    expect(options.greetingTimeout).toBe(30_000);
    expect(options.socketTimeout).toBe(300_000);
  });
});

describe('smtpTransportOptions', () => {
  it.each<[SmtpEncryption, { secure: boolean; requireTLS?: boolean; ignoreTLS?: boolean }]>([
    ['ssl', { secure: true }],
    ['tls', { secure: false, requireTLS: true }],
    ['none', { secure: false, ignoreTLS: true }],
  ])('%s → %o', (encryption, expected) => {
    const options = smtpTransportOptions(smtp(encryption));
    expect(options.secure).toBe(expected.secure);
    expect(options.requireTLS).toBe(expected.requireTLS);
    expect(options.ignoreTLS).toBe(expected.ignoreTLS);
  });

  it('passes host, port and credentials', () => {
    expect(smtpTransportOptions(smtp('ssl', { port: 465 }))).toMatchObject({
      host: 'smtp.example.com',
      port: 465,
      auth: { user: 'support@example.com', pass: 'secret-pass' },
    });
  });

  it('validates certificates unless told not to', () => {
    expect(smtpTransportOptions(smtp('tls')).tls?.rejectUnauthorized).toBe(true);
    expect(smtpTransportOptions(smtp('tls', { validateCertificate: true })).tls?.rejectUnauthorized).toBe(true);
    expect(smtpTransportOptions(smtp('tls', { validateCertificate: false })).tls?.rejectUnauthorized).toBe(false);
  });

  it('logs nothing', () => {
    const options = smtpTransportOptions(smtp('tls'));
    expect(options.logger).toBe(false);
    expect(options.debug).toBe(false);
  });

  it('derives the timeouts from timeoutMs', () => {
    const options = smtpTransportOptions(smtp('tls'), { timeoutMs: 4000 });
    expect(options.connectionTimeout).toBe(4000);
    expect(options.greetingTimeout).toBe(4000);
    expect(options.socketTimeout).toBeGreaterThanOrEqual(4000);
  });
});
