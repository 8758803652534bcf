import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from './temp-dirs.js';
import { findExecutable } from './executables.js';
import { runCommand } from './run-command.js';

export interface SelfSignedPair {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
}

// One pair per process: generating RSA keys costs ~100 ms and every server may share it.
let cached: Promise<SelfSignedPair> | undefined;

/** A self-signed key+certificate valid for 'localhost' and 127.0.0.1, made with the openssl CLI. */
export function selfSignedCertificate(): Promise<SelfSignedPair> {
  cached ??= generate().catch((error: unknown) => {
    // Do not cache a failure: a later call should try again and report afresh.
    cached = undefined;
    throw error;
  });
  return cached;
}

async function generate(): Promise<SelfSignedPair> {
  const openssl = await findExecutable('openssl', ['/usr/bin/openssl'], 'apt-get install -y openssl');
  // The dir lives until process exit (temp-dirs cleans it up); servers read the files while running.
  const dir = await makeTempDir('ens-cert');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await runCommand(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30',
    '-keyout', keyPath, '-out', certPath,
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { keyPath, certPath, key, cert };
}
