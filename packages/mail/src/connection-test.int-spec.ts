/**
 * Test Connection against real servers: Dovecot for IMAP, smtp-server for SMTP (from @ensoras/testing).
 */
import type { ConnectionCheck } from '@ensoras/contracts';
import { freePort, startDovecot, startLineServer, startSmtpServer, type DovecotServer, type SmtpTestServer } from '@ensoras/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapConnectionSettings, SmtpConnectionSettings } from './connection-options.js';
import { testImapConnection, testSmtpConnection } from './connection-test.js';

const USER = { username: 'support@example.test', password: 'secret-pass' };
const WRONG_PASSWORD = 'wrong-pass-7c1d';

/** Every result must be free of the passwords we used. */
function expectNoSecrets(check: ConnectionCheck): void {
  const serialized = JSON.stringify(check);
  expect(serialized).not.toContain(USER.password);
  expect(serialized).not.toContain(WRONG_PASSWORD);
}


describe('testImapConnection against Dovecot', () => {
  let dovecot: DovecotServer;
  const imap = (overrides: Partial<ImapConnectionSettings & { password: string }>): ImapConnectionSettings => ({
    host: dovecot.host,
    port: dovecot.imapsPort,
    encryption: 'ssl',
    username: USER.username,
    password: USER.password,
    validateCertificate: false,
    markAsRead: false,
    ...overrides,
  });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [USER] });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('ssl: logs in over implicit TLS and selects INBOX (certificate not validated)', async () => {
    const check = await testImapConnection(imap({ encryption: 'ssl', port: dovecot.imapsPort }));
    expect(check).toEqual({ ok: true });
  });

  it('tls: is implicit TLS as well', async () => {
    const check = await testImapConnection(imap({ encryption: 'tls', port: dovecot.imapsPort }));
    expect(check).toEqual({ ok: true });
  });

  it('ssl: rejects the self-signed certificate when validating', async () => {
    const check = await testImapConnection(imap({ encryption: 'ssl', validateCertificate: true }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('certificate_rejected');
    expect(check.error?.message).toContain(`${dovecot.host}:${dovecot.imapsPort}`);
    expectNoSecrets(check);
  });

  it('starttls: upgrades the plain port and logs in', async () => {
    const check = await testImapConnection(imap({ encryption: 'starttls', port: dovecot.imapPort }));
    expect(check).toEqual({ ok: true });
  });

  it('starttls: validates the certificate after the upgrade too', async () => {
    const check = await testImapConnection(imap({ encryption: 'starttls', port: dovecot.imapPort, validateCertificate: true }));
    expect(check.error?.code).toBe('certificate_rejected');
  });

  it('tcp: logs in without encryption', async () => {
    const check = await testImapConnection(imap({ encryption: 'tcp', port: dovecot.imapPort }));
    expect(check).toEqual({ ok: true });
  });

  it('auth_failed for a wrong password', async () => {
    const check = await testImapConnection(imap({ password: WRONG_PASSWORD }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('auth_failed');
    expect(check.error?.hint).toBe('Check the username and password. Many providers want an app password for mail clients, not the account password.');
    expectNoSecrets(check);
  });

  it('tls_mismatch for ssl against the plain port', async () => {
    const check = await testImapConnection(imap({ encryption: 'ssl', port: dovecot.imapPort }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('tls_mismatch');
    expect(check.error?.hint).toContain('Port 993 expects SSL/TLS');
    expectNoSecrets(check);
  });

  it('connection_refused for a port nobody listens on', async () => {
    const port = await freePort();
    const check = await testImapConnection(imap({ port }));
    expect(check.error?.code).toBe('connection_refused');
    expect(check.error?.message).toContain(`${dovecot.host}:${port}`);
  });

  it('timeout for a server that accepts and never speaks, within the bound', async () => {
    const silent = await startLineServer(null);
    try {
      for (const encryption of ['tcp', 'ssl'] as const) {
        const started = Date.now();
        const check = await testImapConnection(imap({ encryption, port: silent.port }), { timeoutMs: 1500 });
        const elapsed = Date.now() - started;
        expect(check.error?.code, encryption).toBe('timeout');
        expect(elapsed).toBeGreaterThanOrEqual(1000);
        expect(elapsed).toBeLessThan(3000);
      }
    } finally {
      await silent.stop();
    }
  });

  it('host_not_found for a name that does not resolve', async () => {
    const check = await testImapConnection(imap({ host: 'no-such-host.invalid' }));
    expect(check.error?.code).toBe('host_not_found');
    expect(check.error?.message).toContain('no-such-host.invalid');
  });
});

describe('testSmtpConnection against smtp-server', () => {
  const servers: SmtpTestServer[] = [];
  const start = async (mode: 'plain' | 'starttls' | 'implicit-tls'): Promise<SmtpTestServer> => {
    const server = await startSmtpServer({ mode, users: [USER] });
    servers.push(server);
    return server;
  };
  const smtp = (server: { host: string; port: number }, overrides: Partial<SmtpConnectionSettings & { password: string }>): SmtpConnectionSettings => ({
    host: server.host,
    port: server.port,
    encryption: 'tls',
    username: USER.username,
    password: USER.password,
    validateCertificate: false,
    ...overrides,
  });

  let plain: SmtpTestServer;
  let starttls: SmtpTestServer;
  let implicitTls: SmtpTestServer;

  beforeAll(async () => {
    [plain, starttls, implicitTls] = await Promise.all([start('plain'), start('starttls'), start('implicit-tls')]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('ssl against an implicit-TLS server', async () => {
    expect(await testSmtpConnection(smtp(implicitTls, { encryption: 'ssl' }))).toEqual({ ok: true });
  });

  it('tls (STARTTLS) against a STARTTLS server', async () => {
    expect(await testSmtpConnection(smtp(starttls, { encryption: 'tls' }))).toEqual({ ok: true });
  });

  it('none against a plain server', async () => {
    expect(await testSmtpConnection(smtp(plain, { encryption: 'none' }))).toEqual({ ok: true });
  });

  it('none ignores STARTTLS a server offers', async () => {
    expect(await testSmtpConnection(smtp(starttls, { encryption: 'none' }))).toEqual({ ok: true });
  });

  it('validates certificates by default', async () => {
    const { validateCertificate: _, ...withoutChoice } = smtp(implicitTls, { encryption: 'ssl' });
    const check = await testSmtpConnection(withoutChoice);
    expect(check.error?.code).toBe('certificate_rejected');
    expectNoSecrets(check);
  });

  it('auth_failed for a wrong password', async () => {
    const check = await testSmtpConnection(smtp(starttls, { encryption: 'tls', password: WRONG_PASSWORD }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('auth_failed');
    expect(check.error?.hint).toBe('Check the username and password. Many providers want an app password for mail clients, not the account password.');
    expectNoSecrets(check);
  });

  it('starttls_unsupported for tls against a server without STARTTLS', async () => {
    const check = await testSmtpConnection(smtp(plain, { encryption: 'tls' }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('starttls_unsupported');
    expect(check.error?.message).toContain(`${plain.host}:${plain.port}`);
    expectNoSecrets(check);
  });

  it('tls_mismatch for ssl against a plain server', async () => {
    const check = await testSmtpConnection(smtp(plain, { encryption: 'ssl' }));
    expect(check.error?.code).toBe('tls_mismatch');
    expectNoSecrets(check);
  });

  it('connection_refused for a port nobody listens on', async () => {
    const port = await freePort();
    const check = await testSmtpConnection(smtp({ host: '127.0.0.1', port }, { encryption: 'tls' }));
    expect(check.error?.code).toBe('connection_refused');
    expect(check.error?.message).toContain(`127.0.0.1:${port}`);
  });

  it('timeout for a server that accepts and never speaks', async () => {
    const silent = await startLineServer(null);
    try {
      const started = Date.now();
      const check = await testSmtpConnection(smtp({ host: '127.0.0.1', port: silent.port }, { encryption: 'tls' }), { timeoutMs: 1500 });
      expect(check.error?.code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await silent.stop();
    }
  });

  it('host_not_found for a name that does not resolve', async () => {
    const check = await testSmtpConnection(smtp({ host: 'no-such-host.invalid', port: 587 }, { encryption: 'tls' }));
    expect(check.error?.code).toBe('host_not_found');
  });
});
