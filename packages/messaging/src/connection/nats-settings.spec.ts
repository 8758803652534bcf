import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNatsSettings, natsConnectionOptions } from './nats-settings.js';

const url = 'nats://127.0.0.1:4222';

describe('natsConnectionOptions', () => {
  it('connects without credentials on the plain inbox when none are set', () => {
    const options = natsConnectionOptions({ NATS_URL: `${url}, nats://127.0.0.1:4223` }, 'ticketing');
    expect(options).toEqual({ servers: [url, 'nats://127.0.0.1:4223'], name: 'ticketing', inboxPrefix: '_INBOX' });
  });

  it('logs in as the user, with replies on that user’s own inbox prefix', () => {
    const options = natsConnectionOptions({ NATS_URL: url, NATS_USER: 'ticketing', NATS_PASSWORD: 'p123' }, 'ticketing');
    expect(options.inboxPrefix).toBe('_INBOX.ticketing');
    expect(options.authenticator).toBeTypeOf('function');
    expect(natsConnectionOptions({ NATS_URL: url, NATS_USER: 'a', NATS_PASSWORD: 'b', NATS_INBOX_PREFIX: '_R.a' }, 'x').inboxPrefix).toBe('_R.a');
  });

  it('requires TLS for a tls:// URL or any TLS file, and passes the files on', () => {
    expect(natsConnectionOptions({ NATS_URL: url }, 'x').tls).toBeUndefined();
    expect(natsConnectionOptions({ NATS_URL: 'tls://nats:4222' }, 'x').tls).toEqual({});
    expect(natsConnectionOptions({ NATS_URL: url, NATS_TLS_CA_FILE: '/ca.pem' }, 'x').tls).toEqual({ caFile: '/ca.pem' });
    expect(
      natsConnectionOptions({ NATS_URL: url, NATS_TLS_CERT_FILE: '/c.pem', NATS_TLS_KEY_FILE: '/k.pem', NATS_TLS_CA_FILE: '' }, 'x').tls,
    ).toEqual({ certFile: '/c.pem', keyFile: '/k.pem' });
  });

  it('reads a creds file when connecting, naming the variable (not the content) when it cannot', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'nats-settings-')), 'gone.creds');
    const authenticator = natsConnectionOptions({ NATS_URL: url, NATS_CREDS_FILE: missing }, 'x').authenticator as (nonce?: string) => unknown;
    expect(() => authenticator('nonce')).toThrow(`NATS_CREDS_FILE: cannot read ${missing} (ENOENT)`);
  });

  it('signs the server’s nonce with an NKey seed from a file', () => {
    const seedFile = join(mkdtempSync(join(tmpdir(), 'nats-settings-')), 'user.nk');
    writeFileSync(seedFile, 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n');
    const authenticator = natsConnectionOptions({ NATS_URL: url, NATS_NKEY_SEED_FILE: seedFile }, 'x').authenticator as (nonce?: string) => {
      nkey: string;
      sig: string;
    };
    const auth = authenticator('a-nonce');
    expect(auth.nkey).toMatch(/^U[A-Z2-7]{55}$/);
    expect(auth.sig).toBeTruthy();
  });
});

describe('describeNatsSettings', () => {
  it('says where and how, never a secret', () => {
    const text = describeNatsSettings({ NATS_URL: 'tls://svc:hunter2@nats:4222', NATS_USER: 'ticketing', NATS_PASSWORD: 'p-secret' });
    expect(text).toBe('tls://nats:4222 (user ticketing, TLS)');
    expect(describeNatsSettings({ NATS_URL: url, NATS_TOKEN: 'tok-secret' })).toBe(`${url} (token)`);
    expect(describeNatsSettings({ NATS_URL: url, NATS_CREDS_FILE: '/run/secrets/svc.creds' })).toBe(`${url} (credentials file)`);
    expect(describeNatsSettings({ NATS_URL: url })).toBe(`${url} (no credentials)`);
  });
});
