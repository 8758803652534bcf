import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpOnProcessExit } from './process-exit-cleanup.js';

// Unregister functions of dirs not yet removed by their owner; if a test forgets
// stop() (or crashes), they are removed when the process ends.
const liveDirs = new Map<string, () => void>();

/** Creates a fresh directory under the OS temp folder. Keep `prefix` short: Dovecot puts unix sockets in it (108-byte path limit). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  liveDirs.set(dir, cleanUpOnProcessExit(() => rmSync(dir, { recursive: true, force: true })));
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  liveDirs.get(dir)?.();
  liveDirs.delete(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
