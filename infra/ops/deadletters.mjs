#!/usr/bin/env node
// `npm run deadletters -- list|replay <consumer> [options]`: the events a service's consumers gave up on, read from
// and replayed through NATS directly (NATS_URL and the NATS_* credentials of the README). <consumer> is a service
// (`ticketing`: all its consumers) or one consumer (`ticketing__mail_any_received`). Replay publishes each event
// again for that service only and removes the dead letter; the handlers are idempotent, so an event that was
// handled after all is not handled twice. Needs the packages built (`npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const usage = `Usage:
  npm run deadletters -- list <consumer> [--limit 100] [--json]
  npm run deadletters -- replay <consumer> [--seq <n>]
  npm run deadletters -- count <consumer>
<consumer>: a service (e.g. ticketing) or one of its consumers (e.g. ticketing__mail_any_received).
NATS_URL (and NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE, NATS_TLS_* ...) say where NATS is.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    limit: { type: 'string', default: '100' },
    seq: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const [command, target] = positionals;
if (values.help || !['list', 'replay', 'count'].includes(command) || !target) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
if (!/^[A-Za-z0-9_-]+$/.test(target)) fail(`"${target}" is not a service or consumer name`);
if (!process.env.NATS_URL) fail('NATS_URL is not set (e.g. NATS_URL=nats://127.0.0.1:4222)');
if (!existsSync(join(root, 'packages', 'messaging', 'dist', 'index.js'))) fail('packages/messaging is not built: run `npm run build` first');

const { connect } = await import('@nats-io/transport-node');
const { countDeadLetters, listDeadLetters, natsConnectionOptions, replayDeadLetters } = await import('@ensoras/messaging');

const [service] = target.split('__');
const consumer = target.includes('__') ? target : null;
const nc = await connect({ ...natsConnectionOptions(process.env, 'deadletters-cli'), timeout: 5_000 }).catch((error) =>
  fail(`Cannot reach NATS at ${process.env.NATS_URL}: ${error.message}`),
);
try {
  if (command === 'count') {
    console.log(consumer ? (await allOf(service)).length : await countDeadLetters(nc, service));
  } else if (command === 'list') {
    const letters = (await allOf(service, Number(values.limit))).slice(0, Number(values.limit));
    if (values.json) console.log(JSON.stringify(letters, null, 2));
    else if (letters.length === 0) console.log(`No dead letters for ${target}.`);
    else {
      for (const letter of letters) {
        console.log(
          [String(letter.seq).padStart(6), letter.deadLetteredAt, letter.subject, letter.kind ?? '?', `${letter.attempts}x`, letter.consumer ?? '', letter.reason.slice(0, 160)].join('  '),
        );
      }
      console.log(`${letters.length} dead letter(s); replay with: npm run deadletters -- replay ${target} [--seq <n>]`);
    }
  } else {
    const which = values.seq !== undefined ? Number(values.seq) : consumer ? { consumer } : undefined;
    const { replayed } = await replayDeadLetters(nc, service, which);
    for (const event of replayed) console.log(`replayed ${event.seq}  ${event.subject}  ${event.eventId ?? ''}`);
    if (values.seq !== undefined && replayed.length === 0) fail(`No dead letter ${values.seq} of ${service}`);
    console.log(`${replayed.length} dead letter(s) replayed for ${target}.`);
  }
} finally {
  await nc.close();
}

/** Every dead letter of the service (of the consumer, when one is named), oldest first, up to `limit`. */
async function allOf(name, limit = Number.POSITIVE_INFINITY) {
  const letters = [];
  let after = 0;
  for (;;) {
    const page = await listDeadLetters(nc, name, { after, limit: 500, consumer: consumer ?? undefined });
    letters.push(...page);
    if (page.length < 500 || letters.length >= limit) return letters;
    after = page[page.length - 1].seq;
  }
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
