import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SecretBox } from './secret-box.js';
import { loadSecretsKey } from './secrets-key.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const sealed = box.seal('app-password-123');
    expect(sealed.sealed).not.toContain('app-password-123');
    expect(box.open(sealed)).toBe('app-password-123');
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal('x').sealed).not.toBe(box.seal('x').sealed);
  });

  it('refuses a tampered secret and a foreign key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open({ sealed: parts.join('.') })).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
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
});
