import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { MailIngestEnvironment } from './mail-ingest.environment.js';

const base = { NATS_URL: 'nats://127.0.0.1:4222' };

function load(values: Record<string, string>) {
  const environment = plainToInstance(MailIngestEnvironment, { ...base, ...values });
  return { environment, errors: validateSync(environment, { forbidUnknownValues: false }) };
}

describe('MailIngestEnvironment', () => {
  it('needs only NATS_URL; port 3004, polling every 5 s, no admin API by default', () => {
    const { environment, errors } = load({});
    expect(errors).toEqual([]);
    expect(environment).toMatchObject({ PORT: 3004, POLL_INTERVAL_MS: 5_000 });
    expect(environment.ADMIN_TOKEN).toBeUndefined();
    expect(environment.SECRETS_KEY).toBeUndefined();
  });

  it('reads POLL_INTERVAL_MS as a number and rejects nonsense', () => {
    expect(load({ POLL_INTERVAL_MS: '750' }).environment.POLL_INTERVAL_MS).toBe(750);
    expect(load({ POLL_INTERVAL_MS: 'often' }).errors.map((error) => error.property)).toEqual(['POLL_INTERVAL_MS']);
  });

  it('accepts a 32-byte SECRETS_KEY as base64 or hex, rejects others without echoing them', () => {
    expect(load({ SECRETS_KEY: randomBytes(32).toString('base64') }).errors).toEqual([]);
    expect(load({ SECRETS_KEY: randomBytes(32).toString('hex') }).errors).toEqual([]);
    const { errors } = load({ SECRETS_KEY: 'short-secret-value' });
    expect(errors.map((error) => error.property)).toEqual(['SECRETS_KEY']);
    expect(JSON.stringify(errors[0]!.constraints)).not.toContain('short-secret-value');
  });

  it('parses with a 10 s limit in 2 worker threads by default; PARSE_TIMEOUT_MS and PARSE_THREADS as numbers', () => {
    expect(load({}).environment).toMatchObject({ PARSE_TIMEOUT_MS: 10_000, PARSE_THREADS: 2 });
    expect(load({ PARSE_TIMEOUT_MS: '250', PARSE_THREADS: '4' }).environment).toMatchObject({ PARSE_TIMEOUT_MS: 250, PARSE_THREADS: 4 });
    expect(load({ PARSE_TIMEOUT_MS: '0', PARSE_THREADS: 'many' }).errors.map((error) => error.property).sort()).toEqual(['PARSE_THREADS', 'PARSE_TIMEOUT_MS']);
  });

  it('wants a real ADMIN_TOKEN when one is set', () => {
    expect(load({ ADMIN_TOKEN: 'short' }).errors.map((error) => error.property)).toEqual(['ADMIN_TOKEN']);
    expect(load({ ADMIN_TOKEN: 'a-long-enough-admin-token' }).errors).toEqual([]);
  });

  it('pauses a mailbox after 3 failed logins by default; AUTH_FAILURES_BEFORE_PAUSE from 1 to 100', () => {
    expect(load({}).environment.AUTH_FAILURES_BEFORE_PAUSE).toBe(3);
    expect(load({ AUTH_FAILURES_BEFORE_PAUSE: '5' }).environment.AUTH_FAILURES_BEFORE_PAUSE).toBe(5);
    for (const value of ['0', 'never', '101']) {
      expect(load({ AUTH_FAILURES_BEFORE_PAUSE: value }).errors.map((error) => error.property)).toEqual(['AUTH_FAILURES_BEFORE_PAUSE']);
    }
  });
});
