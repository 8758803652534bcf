import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { NatsEnvironment } from './nats-environment.js';

const SEED = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';
const dir = mkdtempSync(join(tmpdir(), 'nats-env-'));
const readable = join(dir, 'present.pem');
writeFileSync(readable, 'x');
const missing = join(dir, 'missing.creds');

function load(values: Record<string, string>) {
  const environment = plainToInstance(NatsEnvironment, { NATS_URL: 'nats://127.0.0.1:4222', ...values });
  const errors = validateSync(environment, { forbidUnknownValues: false });
  return { environment, errors, problems: errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`) };
}

describe('NatsEnvironment', () => {
  it('needs only NATS_URL, and takes tls:// and lists of servers', () => {
    expect(load({}).errors).toEqual([]);
    expect(load({ NATS_URL: 'tls://nats.internal:4222,tls://nats2.internal:4222' }).errors).toEqual([]);
    expect(load({ NATS_URL: 'http://nats:4222' }).problems).toEqual([expect.stringMatching(/^NATS_URL: NATS_URL must be a nats:\/\/ URL/)]);
  });

  it('takes each way to authenticate on its own', () => {
    expect(load({ NATS_USER: 'ticketing', NATS_PASSWORD: 'p0123456789' }).errors).toEqual([]);
    expect(load({ NATS_TOKEN: 's3cr3t-token' }).errors).toEqual([]);
    expect(load({ NATS_NKEY_SEED: SEED }).errors).toEqual([]);
    expect(load({ NATS_NKEY_SEED_FILE: readable }).errors).toEqual([]);
    expect(load({ NATS_CREDS_FILE: readable }).errors).toEqual([]);
  });

  it('names the variable of a credential it cannot use, never echoing a secret', () => {
    expect(load({ NATS_USER: 'ticketing' }).problems).toEqual(['NATS_PASSWORD: NATS_PASSWORD is required with NATS_USER']);
    expect(load({ NATS_PASSWORD: 'p0123456789' }).problems).toEqual(['NATS_PASSWORD: NATS_PASSWORD needs NATS_USER']);
    const badSeed = load({ NATS_NKEY_SEED: 'SUnot-a-seed-but-secret' });
    expect(badSeed.problems).toEqual([expect.stringMatching(/^NATS_NKEY_SEED: NATS_NKEY_SEED must be an NKey user seed/)]);
    expect(badSeed.problems.join()).not.toContain('not-a-seed-but-secret');
    expect(load({ NATS_CREDS_FILE: missing }).problems).toEqual([
      `NATS_CREDS_FILE: NATS_CREDS_FILE must name a readable file; ${missing} does not exist or cannot be read`,
    ]);
    expect(load({ NATS_CREDS_FILE: dir }).problems).toEqual([expect.stringMatching(/^NATS_CREDS_FILE: .* cannot be read$/)]);
  });

  it('refuses two ways to authenticate at once', () => {
    const { problems } = load({ NATS_USER: 'ticketing', NATS_PASSWORD: 'p0123456789', NATS_TOKEN: 's3cr3t-token' });
    expect(problems).toEqual([
      'NATS_USER: NATS_USER cannot be combined with NATS_TOKEN: set one way to authenticate to NATS',
      'NATS_TOKEN: NATS_TOKEN cannot be combined with NATS_USER: set one way to authenticate to NATS',
    ]);
  });

  it('checks the TLS files and wants certificate and key together', () => {
    expect(load({ NATS_TLS_CA_FILE: readable, NATS_TLS_CERT_FILE: readable, NATS_TLS_KEY_FILE: readable }).errors).toEqual([]);
    expect(load({ NATS_TLS_CA_FILE: missing }).problems).toEqual([expect.stringMatching(/^NATS_TLS_CA_FILE: /)]);
    expect(load({ NATS_TLS_CERT_FILE: readable }).problems).toEqual(['NATS_TLS_KEY_FILE: NATS_TLS_KEY_FILE is required with NATS_TLS_CERT_FILE']);
  });

  it('reads an empty variable (NATS_TOKEN= in a compose file) as unset', () => {
    const { environment, errors } = load({ NATS_TOKEN: '', NATS_USER: '', NATS_PASSWORD: '', NATS_TLS_CA_FILE: '' });
    expect(errors).toEqual([]);
    expect(environment.NATS_TOKEN).toBeUndefined();
  });

  it('wants an inbox prefix without wildcards', () => {
    expect(load({ NATS_INBOX_PREFIX: '_INBOX.team-a' }).errors).toEqual([]);
    expect(load({ NATS_INBOX_PREFIX: '_INBOX.>' }).problems).toEqual([expect.stringMatching(/^NATS_INBOX_PREFIX: /)]);
  });
});

describe('NatsEnvironment: stream retention and replicas', () => {
  it('takes durations of at least an hour and 1, 3 or 5 replicas', () => {
    const { environment, errors } = load({ NATS_STREAM_MAX_AGE: '72h', NATS_DEAD_LETTER_MAX_AGE: '180d', NATS_STREAM_REPLICAS: '3' });
    expect(errors).toEqual([]);
    expect(environment.NATS_STREAM_REPLICAS).toBe(3);
    expect(load({ NATS_STREAM_MAX_AGE: '90m', NATS_STREAM_REPLICAS: '5' }).errors).toEqual([]);
  });

  it('reads unset or empty variables as the defaults', () => {
    const { environment, errors } = load({ NATS_STREAM_MAX_AGE: '', NATS_STREAM_REPLICAS: '' });
    expect(errors).toEqual([]);
    expect(environment.NATS_STREAM_REPLICAS).toBeUndefined();
    expect(environment.NATS_STREAM_MAX_AGE).toBeUndefined();
  });

  it('names the variable of a retention or replica count it cannot use', () => {
    for (const value of ['30', '30 days', '1.5d', '30m', '0d', 'forever']) {
      expect(load({ NATS_STREAM_MAX_AGE: value }).problems, value).toEqual([
        'NATS_STREAM_MAX_AGE: NATS_STREAM_MAX_AGE must be a duration of at least 1h such as 30d, 72h or 90m',
      ]);
    }
    expect(load({ NATS_DEAD_LETTER_MAX_AGE: '2w' }).problems).toEqual([expect.stringMatching(/^NATS_DEAD_LETTER_MAX_AGE: NATS_DEAD_LETTER_MAX_AGE must be/)]);
    for (const value of ['2', '0', 'three', '-1', '3.5']) {
      expect(load({ NATS_STREAM_REPLICAS: value }).problems, value).toEqual([
        'NATS_STREAM_REPLICAS: NATS_STREAM_REPLICAS must be 1 (a single NATS server), 3 or 5 (a cluster of at least that many servers)',
      ]);
    }
  });
});
