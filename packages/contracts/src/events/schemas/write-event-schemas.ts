import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateEventSchemas, repositoryPath } from './event-schema-generator.js';

/**
 * `npm run schemas`: writes docs/events (a JSON Schema per event and major version, and index.json) and the same
 * schemas as a module of @ensoras/contracts, from the TypeScript contracts; removes schemas of events that are gone.
 */
const { files, staleFiles } = generateEventSchemas();
for (const { path, content } of files) {
  mkdirSync(dirname(repositoryPath(path)), { recursive: true });
  writeFileSync(repositoryPath(path), content);
}
for (const path of staleFiles) rmSync(repositoryPath(path));
console.log(`Wrote ${files.length} files${staleFiles.length > 0 ? `, removed ${staleFiles.join(', ')}` : ''}`);
