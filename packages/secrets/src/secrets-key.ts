import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SecretBox, type SecretKeys } from './secret-box.js';

export interface SecretKeySettings {
  /** SECRETS_KEY: seals and opens. */
  secretsKey?: string;
  /** SECRETS_KEY_PREVIOUS: the key before a rotation, only to open what it sealed until that is re-sealed. */
  previousKey?: string;
  /** Where the development key lives when SECRETS_KEY is unset. */
  dataDir: string;
  /** NODE_ENV=production: no development key, SECRETS_KEY is required. */
  production: boolean;
}

/**
 * The keys of a service's SecretBox. In production SECRETS_KEY is required (the environment classes refuse to
 * start without it; this is the second lock). Elsewhere the development key file stands in for it.
 */
export function loadSecretKeys(settings: SecretKeySettings, warn: (message: string) => void): SecretKeys {
  if (settings.production && !settings.secretsKey) throw new Error('SECRETS_KEY is required when NODE_ENV=production');
  const current = loadSecretsKey(settings.secretsKey, settings.dataDir, warn);
  return { current, previous: settings.previousKey ? [decodeKey(settings.previousKey)] : [] };
}

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

/** What the three services that hold the key read from their validated environment. */
export interface SecretsEnvironment {
  SECRETS_KEY?: string;
  SECRETS_KEY_PREVIOUS?: string;
  DATA_DIR: string;
}

/**
 * The service's SecretBox. DATA_DIR itself, not a service's sub-folder: in development every service started from
 * the same folder shares one generated key.
 */
export function secretBoxFromEnvironment(
  environment: SecretsEnvironment,
  warn: (message: string) => void,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): SecretBox {
  return new SecretBox(
    loadSecretKeys(
      {
        secretsKey: environment.SECRETS_KEY,
        previousKey: environment.SECRETS_KEY_PREVIOUS,
        dataDir: environment.DATA_DIR,
        production: nodeEnv === 'production',
      },
      warn,
    ),
  );
}
