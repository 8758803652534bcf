import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * Returns the first executable among `candidates` (absolute paths) or, failing that,
 * `name` found on PATH. Throws with `installHint` so a missing system package is obvious.
 */
export async function findExecutable(name: string, candidates: string[], installHint: string): Promise<string> {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const path of [...candidates, ...pathDirs.map((dir) => join(dir, name))]) {
    if (await isExecutable(path)) return path;
  }
  throw new Error(`${name} not found (looked in ${candidates.join(', ')} and PATH). Install it with: ${installHint}`);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
