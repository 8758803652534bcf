import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it, vi } from 'vitest';
import { PreviousSecretsKeySetting, SecretsKeySetting } from './is-secrets-key.validator.js';
import { channelPasswordContext, SecretBox, type SealingContext } from './secret-box.js';
import { loadSecretKeys, loadSecretsKey, secretBoxFromEnvironment } from './secrets-key.js';

const context: SealingContext = channelPasswordContext('acme', 'imap', {
  host: 'imap.example.test',
  port: 993,
  encryption: 'ssl',
  username: 'support@example.test',
});

/** What SecretBox wrote before AAD and key ids: `v1.<nonce>.<tag>.<ciphertext>`, tag length as given. */
function legacySeal(key: Buffer, plainText: string, tagBytes = 16): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagBytes });
  const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
  return ['v1', ...[nonce, cipher.getAuthTag(), body].map((part) => part.toString('base64url'))].join('.');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('opens what it sealed, and the sealed form carries the key id but not the secret', () => {
    const sealed = box.seal('app-password-123', context);
    expect(sealed.sealed).not.toContain('app-password-123');
    expect(sealed.sealed.split('.').slice(0, 2)).toEqual(['v2', box.keyId]);
    expect(box.open(sealed, context)).toBe('app-password-123');
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal('x', context).sealed).not.toBe(box.seal('x', context).sealed);
  });

  it('refuses a tampered secret and a foreign key', () => {
    const sealed = box.seal('secret', context);
    const parts = sealed.sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open({ sealed: parts.join('.') }, context)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, context)).toThrow(/key this service does not hold/);
  });

  it('refuses a tag shorter than 16 bytes, even one GCM would verify', () => {
    const sealed = box.seal('secret', context).sealed.split('.');
    const fourByteTag = Buffer.from(sealed[3], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open({ sealed: [...sealed.slice(0, 3), fourByteTag, sealed[4]].join('.') }, context)).toThrow();
    // The old format with a genuine 4-byte tag, which the old SecretBox accepted.
    expect(() => box.reseal({ sealed: legacySeal(key, 'secret', 4) }, context)).toThrow();
  });

  it.each([
    ['project', { projectId: 'other' }],
    ['field', { field: 'smtp.password' as const }],
    ['host', { host: 'evil.example' }],
    ['port', { port: 143 }],
    ['encryption', { encryption: 'tcp' }],
    ['username', { username: 'someone@example.test' }],
  ])('does not open for another %s', (_name, change) => {
    const sealed = box.seal('secret', context);
    expect(() => box.open(sealed, { ...context, ...change })).toThrow();
  });

  it('opens with a previous key during a rotation and re-seals under the current one', () => {
    const oldKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal('secret', context);
    const rotated = new SecretBox({ current: randomBytes(32), previous: [oldKey] });
    expect(rotated.open(sealedBefore, context)).toBe('secret');
    expect(rotated.needsResealing(sealedBefore)).toBe(true);
    const resealed = rotated.reseal(sealedBefore, context);
    expect(resealed.sealed.split('.')[1]).toBe(rotated.keyId);
    expect(rotated.needsResealing(resealed)).toBe(false);
    expect(rotated.reseal(resealed, context)).toBe(resealed);
    // Once the previous key is gone, only the re-sealed form opens.
    const afterRotation = new SecretBox(randomBytes(32));
    expect(() => afterRotation.open(sealedBefore, context)).toThrow();
  });

  it('a previous key does not help a secret presented for another host', () => {
    const oldKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal('secret', context);
    const rotated = new SecretBox({ current: randomBytes(32), previous: [oldKey] });
    expect(() => rotated.reseal(sealedBefore, { ...context, host: 'evil.example' })).toThrow();
  });

  it('opens the old format (no context, no key id) only to re-seal it, with the current or a previous key', () => {
    const legacy = { sealed: legacySeal(key, 'from-before') };
    expect(() => box.open(legacy, context)).toThrow(/old format/);
    expect(box.needsResealing(legacy)).toBe(true);
    const resealed = box.reseal(legacy, context);
    expect(box.open(resealed, context)).toBe('from-before');

    const rotated = new SecretBox({ current: randomBytes(32), previous: [key] });
    expect(rotated.open(rotated.reseal(legacy, context), context)).toBe('from-before');
    expect(() => new SecretBox(randomBytes(32)).reseal(legacy, context)).toThrow();
  });
});

describe('loadSecretsKey', () => {
  it('generates one development key, warns once, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const warn = vi.fn();
    const first = loadSecretsKey(undefined, dir, warn);
    const second = loadSecretsKey(undefined, dir, warn);
    expect(first.equals(second)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('accepts hex and base64 and rejects a short key', () => {
    const key = randomBytes(32);
    expect(loadSecretsKey(key.toString('hex'), '/nonexistent', vi.fn()).equals(key)).toBe(true);
    expect(loadSecretsKey(key.toString('base64'), '/nonexistent', vi.fn()).equals(key)).toBe(true);
    expect(() => loadSecretsKey('abc', '/nonexistent', vi.fn())).toThrow(/32 bytes/);
  });

  it('in production never generates a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    expect(() => loadSecretKeys({ dataDir: dir, production: true }, vi.fn())).toThrow(/SECRETS_KEY is required when NODE_ENV=production/);
    expect(() => secretBoxFromEnvironment({ DATA_DIR: dir }, vi.fn(), 'production')).toThrow(/SECRETS_KEY/);
  });

  it('a box from SECRETS_KEY and SECRETS_KEY_PREVIOUS opens what either sealed', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const sealedUnderA = new SecretBox(a).seal('secret', context);
    const box = secretBoxFromEnvironment(
      { SECRETS_KEY: b.toString('base64'), SECRETS_KEY_PREVIOUS: a.toString('hex'), DATA_DIR: '/nonexistent' },
      vi.fn(),
      'production',
    );
    expect(box.open(sealedUnderA, context)).toBe('secret');
    expect(box.keyId).toBe(new SecretBox(b).keyId);
  });
});

class Environment {
  @SecretsKeySetting() SECRETS_KEY?: string;
  @PreviousSecretsKeySetting() SECRETS_KEY_PREVIOUS?: string;
}
const errorsOf = (source: Record<string, string>) =>
  validateSync(plainToInstance(Environment, source)).map((error) => Object.values(error.constraints ?? {}).join('; '));

describe('SecretsKeySetting', () => {
  it('requires SECRETS_KEY only when NODE_ENV=production, naming it', () => {
    expect(errorsOf({})).toEqual([]);
    expect(errorsOf({ NODE_ENV: 'development' })).toEqual([]);
    expect(errorsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^SECRETS_KEY is required when NODE_ENV=production/)]);
    expect(errorsOf({ NODE_ENV: 'production', SECRETS_KEY: randomBytes(32).toString('base64') })).toEqual([]);
  });

  it('checks SECRETS_KEY_PREVIOUS when set, without echoing it', () => {
    const errors = errorsOf({ SECRETS_KEY_PREVIOUS: 'not-a-key-value' });
    expect(errors).toEqual([expect.stringMatching(/^SECRETS_KEY_PREVIOUS must be 32 bytes/)]);
    expect(errors.join()).not.toContain('not-a-key-value');
  });
});
