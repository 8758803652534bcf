import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * The key from SECRETS_KEY (32 bytes as base64 or 64 hex digits). In development, when unset, a key is generated
 * once into `<dataDir>/secrets.key` and shared by every service started from the same folder.
 */
export function loadSecretsKey(secretsKey: string | undefined, dataDir: string, warn: (message: string) => void): Buffer {
  if (secretsKey) return decodeKey(secretsKey);
  const path = join(dataDir, 'secrets.key');
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx' creates exclusively: when services start together exactly one writes the key, the rest read it.
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, randomBytes(32).toString('base64'));
    closeSync(fd);
    warn(`SECRETS_KEY is not set: generated a development key in ${path}. Set SECRETS_KEY in production.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(readFileSync(path, 'utf8').trim());
}

export function decodeKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, as base64 or 64 hex digits');
  return key;
}
