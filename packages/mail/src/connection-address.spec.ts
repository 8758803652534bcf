import { describe, expect, it } from 'vitest';
import { AddressNotAllowedError, isRefusedAddress, isRefusedHost, resolveAllowedAddress } from './connection-address.js';
import { classifyConnectionError } from './connection-error.js';
import { testImapConnection, testSmtpConnection } from './connection-test.js';

describe('address refusal', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '169.254.255.255',
    '100.100.100.200',
    'fe80::1',
    'febf:ffff::1',
    'fd00:ec2::254',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each(['127.0.0.1', '::1', '10.0.0.5', '172.16.3.4', '192.168.1.10', 'fd00::1', '8.8.8.8', '2001:db8::1', '169.253.255.255', '169.255.0.1'])(
    'allows %s (loopback, private and public stay usable)',
    (address) => {
      expect(isRefusedAddress(address)).toBe(false);
    },
  );

  it('refuses metadata host names and bracketed literals before any lookup', () => {
    for (const host of ['metadata.google.internal', 'METADATA.google.internal.', 'metadata.goog', 'instance-data', '[fe80::1]']) {
      expect(isRefusedHost(host), host).toBe(true);
    }
    expect(isRefusedHost('imap.example.test')).toBe(false);
  });

  it('resolves a name and refuses it when it leads to a refused address', async () => {
    await expect(resolveAllowedAddress('169.254.169.254')).rejects.toBeInstanceOf(AddressNotAllowedError);
    await expect(resolveAllowedAddress('metadata.google.internal')).rejects.toBeInstanceOf(AddressNotAllowedError);
    expect(await resolveAllowedAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(['127.0.0.1', '::1']).toContain(await resolveAllowedAddress('localhost'));
  });

  it('classifies the refusal as address_not_allowed with our own message and hint', () => {
    const result = classifyConnectionError(new AddressNotAllowedError('169.254.169.254'), 'imap', {
      host: '169.254.169.254',
      port: 993,
      encryption: 'ssl',
    });
    expect(result.code).toBe('address_not_allowed');
    expect(result.message).toContain('169.254.169.254');
    expect(result.hint).toMatch(/link-local/i);
  });

  it('Test Connection refuses a metadata address at once, without a connection attempt', async () => {
    const started = Date.now();
    const settings = { host: '169.254.169.254', port: 80, username: 'u', password: 'p', validateCertificate: false };
    const [imap, smtp] = await Promise.all([
      testImapConnection({ ...settings, encryption: 'tcp', markAsRead: false }, { timeoutMs: 5_000 }),
      testSmtpConnection({ ...settings, encryption: 'none' }, { timeoutMs: 5_000 }),
    ]);
    expect(imap).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    expect(smtp).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    // A real attempt against an unroutable address would run into the deadline.
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
