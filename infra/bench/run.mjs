#!/usr/bin/env node
// `npm run bench`: each benchmark prints its figures; none asserts a time (tests never time things).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['corpus-parse.mjs', 'jetstream-publish.mjs', 'end-to-end.mjs'];
let failed = false;
for (const bench of benches) {
  console.log(`\n## ${bench}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
