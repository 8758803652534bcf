// Parses and classifies every message of the mail corpus (packages/testing/corpus) through the real ingest parse
// path (parseInboundMail from @ensoras/mail, what mail-ingest publishes from): charset normalisation, mailparser,
// sanitised HTML, new part of a reply, classification, bounce details. Prints messages/s and peak RSS. Needs
// `npx turbo run build` first; run with `node --expose-gc` for a settled baseline.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseInboundMail } from '@ensoras/mail';
import { MAIL_CORPUS_DIR as corpus } from '@ensoras/testing';

const messages = readdirSync(corpus, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(corpus, dir.name))
      .filter((name) => name.endsWith('.eml'))
      .map((name) => ({ folder: dir.name, raw: readFileSync(join(corpus, dir.name, name)) })),
  );
const bytes = messages.reduce((sum, message) => sum + message.raw.length, 0);
const channel = { ownAddresses: ['support@acme.test'], ownMessageIdDomain: 'acme.test', maxMessageSizeBytes: 25 * 1024 * 1024 };

async function pass() {
  const kinds = {};
  let errors = 0;
  for (const { folder, raw } of messages) {
    try {
      const { classification } = await parseInboundMail(raw, channel);
      kinds[folder] ??= {};
      kinds[folder][classification.kind] = (kinds[folder][classification.kind] ?? 0) + 1;
    } catch {
      errors++;
    }
  }
  return { kinds, errors };
}

await pass(); // warm-up: JIT and charset tables
globalThis.gc?.();
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const rounds = 3;
const started = performance.now();
let last;
for (let i = 0; i < rounds; i++) last = await pass();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log(`messages: ${messages.length} (${(bytes / 1024 / 1024).toFixed(1)} MiB) x ${rounds} rounds, parseInboundMail`);
console.log(`parse + classify: ${((messages.length * rounds) / seconds).toFixed(0)} messages/s, ${((bytes * rounds) / 1024 / 1024 / seconds).toFixed(1)} MiB/s`);
if (process.env.BENCH_RESULTS) {
  appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify({ figure: 'corpus-parse', value: (messages.length * rounds) / seconds })}\n`);
}
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
console.log(`parse errors: ${last.errors}`);
for (const [folder, kinds] of Object.entries(last.kinds).sort()) console.log(`  ${folder}: ${JSON.stringify(kinds)}`);
