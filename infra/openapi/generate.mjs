#!/usr/bin/env node
// `npm run openapi`: writes each HTTP service's OpenAPI document to docs/openapi/<service>.json, as the service
// serves it at /docs-json. Nothing is started: the documents come from the built modules in Nest's preview mode
// (no database, no NATS). The unit specs apps/<service>/src/openapi/api-description.spec.ts fail while a kept
// document differs from the code. Needs the packages built (the npm script builds them first).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVICES = ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'];

const { apiDocumentText } = await import(pathToFileURL(join(root, 'packages/runtime/dist/index.js')).href);
const outputDir = join(root, 'docs/openapi');
await mkdir(outputDir, { recursive: true });
for (const service of SERVICES) {
  const { describeApi } = await import(pathToFileURL(join(root, 'apps', service, 'dist/openapi/api-description.js')).href);
  const text = apiDocumentText(await describeApi());
  const file = join(outputDir, `${service}.json`);
  const before = await readFile(file, 'utf8').catch(() => null);
  await writeFile(file, text);
  process.stdout.write(`docs/openapi/${service}.json ${before === text ? 'unchanged' : before === null ? 'written' : 'updated'}\n`);
}
