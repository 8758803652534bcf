// Parses and classifies every message of shared/corpus with mailparser and @ensoras/mail, as mail-ingest does.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { classifyMail } from '@ensoras/mail';

const here = dirname(fileURLToPath(import.meta.url));
const candidates = [process.env.CORPUS_DIR, join(here, '../../../shared/corpus'), join(here, '../../shared/corpus')].filter(Boolean);
const corpus = candidates.find((dir) => existsSync(dir));
if (!corpus) {
  console.log('corpus not found (set CORPUS_DIR); skipped');
  process.exit(0);
}
const files = readdirSync(corpus, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) => readdirSync(join(corpus, dir.name)).filter((f) => !/licen[cs]e|readme/i.test(f)).map((f) => join(corpus, dir.name, f)));
const raws = files.map((file) => readFileSync(file));
const bytes = raws.reduce((sum, raw) => sum + raw.length, 0);

async function pass() {
  const kinds = {};
  let errors = 0;
  for (const raw of raws) {
    try {
      const parsed = await simpleParser(raw, { skipHtmlToText: false });
      const headers = {};
      for (const [name, value] of parsed.headers) headers[name] = typeof value === 'string' ? value : JSON.stringify(value);
      const contentType = parsed.headerLines.find((line) => line.key === 'content-type')?.line.replace(/^content-type:\s*/i, '') ?? null;
      const from = parsed.from?.value[0] ? { address: parsed.from.value[0].address ?? '', name: parsed.from.value[0].name ?? '' } : null;
      const { kind } = classifyMail(
        { headers, contentType, from, subject: parsed.subject ?? '', messageId: parsed.messageId ?? null },
        { ownAddresses: ['support@acme.test'] },
      );
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    } catch {
      errors++;
    }
  }
  return { kinds, errors };
}

await pass(); // warm-up: JIT and iconv tables
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const rounds = 3;
const started = performance.now();
let last;
for (let i = 0; i < rounds; i++) last = await pass();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log(`messages: ${raws.length} (${(bytes / 1024 / 1024).toFixed(1)} MiB) x ${rounds} rounds`);
console.log(`parse + classify: ${((raws.length * rounds) / seconds).toFixed(0)} messages/s, ${((bytes * rounds) / 1024 / 1024 / seconds).toFixed(1)} MiB/s`);
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
console.log(`parse errors: ${last.errors}; kinds: ${JSON.stringify(last.kinds)}`);
