import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ChannelConfigEnvironment } from './channel-config.environment.js';

const base = { NATS_URL: 'nats://127.0.0.1:4222', ADMIN_TOKEN: 'a-long-enough-admin-token' };
const badProperties = (source: Record<string, string>) =>
  validateSync(plainToInstance(ChannelConfigEnvironment, { ...base, ...source })).map((error) => error.property);

describe('ChannelConfigEnvironment', () => {
  it('defaults the port to 3001 and the test-connection timeout to 10 s', () => {
    const environment = plainToInstance(ChannelConfigEnvironment, base);
    expect(validateSync(environment)).toEqual([]);
    expect(environment.PORT).toBe(3001);
    expect(environment.TEST_CONNECTION_TIMEOUT_MS).toBe(10_000);
  });

  it('accepts a 32-byte SECRETS_KEY as hex or base64 and rejects anything else without echoing it', () => {
    expect(badProperties({ SECRETS_KEY: randomBytes(32).toString('hex') })).toEqual([]);
    expect(badProperties({ SECRETS_KEY: randomBytes(32).toString('base64') })).toEqual([]);
    const errors = validateSync(plainToInstance(ChannelConfigEnvironment, { ...base, SECRETS_KEY: 'too-short-key' }));
    expect(errors.map((error) => error.property)).toEqual(['SECRETS_KEY']);
    expect(JSON.stringify(errors[0].constraints)).not.toContain('too-short-key');
  });

  it('requires SECRETS_KEY when NODE_ENV=production, naming it; elsewhere the development key file stands in', () => {
    const errors = validateSync(plainToInstance(ChannelConfigEnvironment, { ...base, NODE_ENV: 'production' }));
    expect(errors.map((error) => error.property)).toEqual(['SECRETS_KEY']);
    expect(Object.values(errors[0].constraints ?? {})).toEqual([expect.stringMatching(/^SECRETS_KEY is required when NODE_ENV=production/)]);
    expect(badProperties({ NODE_ENV: 'development' })).toEqual([]);
    expect(badProperties({ NODE_ENV: 'production', SECRETS_KEY: randomBytes(32).toString('base64') })).toEqual([]);
  });

  it('accepts SECRETS_KEY_PREVIOUS as a key and rejects anything else', () => {
    expect(badProperties({ SECRETS_KEY_PREVIOUS: randomBytes(32).toString('hex') })).toEqual([]);
    expect(badProperties({ SECRETS_KEY_PREVIOUS: 'short' })).toEqual(['SECRETS_KEY_PREVIOUS']);
  });

  it('rejects a test-connection timeout that is not a positive whole number of ms', () => {
    expect(badProperties({ TEST_CONNECTION_TIMEOUT_MS: 'soon' })).toEqual(['TEST_CONNECTION_TIMEOUT_MS']);
  });

  it('makes OAuth optional, but a client id needs its secret and the redirect URL, and http:// needs saying so', () => {
    expect(badProperties({ GOOGLE_OAUTH_CLIENT_ID: 'id' }).sort()).toEqual(['GOOGLE_OAUTH_CLIENT_SECRET', 'OAUTH_REDIRECT_URL']);
    expect(badProperties({ MICROSOFT_OAUTH_CLIENT_ID: 'id', MICROSOFT_OAUTH_CLIENT_SECRET: 's', OAUTH_REDIRECT_URL: 'https://config.example.com/v1/oauth/callback' })).toEqual([]);
    expect(badProperties({ OAUTH_REDIRECT_URL: 'http://127.0.0.1:3001/v1/oauth/callback', GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token' }).sort()).toEqual([
      'GOOGLE_OAUTH_TOKEN_URL',
      'OAUTH_REDIRECT_URL',
    ]);
    expect(badProperties({ OAUTH_ALLOW_HTTP_ENDPOINTS: 'true', OAUTH_REDIRECT_URL: 'http://127.0.0.1:3001/v1/oauth/callback' })).toEqual([]);
    expect(badProperties({ MICROSOFT_OAUTH_TENANT: 'contoso.onmicrosoft.com' })).toEqual([]);
    expect(badProperties({ MICROSOFT_OAUTH_TENANT: '../evil' })).toEqual(['MICROSOFT_OAUTH_TENANT']);
    expect(plainToInstance(ChannelConfigEnvironment, base).MICROSOFT_OAUTH_TENANT).toBe('common');
    // docker-compose passes unset variables as empty strings: OAuth simply stays off.
    const empty = { OAUTH_REDIRECT_URL: '', OAUTH_DONE_URL: '', GOOGLE_OAUTH_CLIENT_ID: '', GOOGLE_OAUTH_CLIENT_SECRET: '', MICROSOFT_OAUTH_CLIENT_ID: '', MICROSOFT_OAUTH_CLIENT_SECRET: '', MICROSOFT_OAUTH_TENANT: '' };
    expect(badProperties(empty)).toEqual([]);
  });
});
