#!/usr/bin/env node
// Follows the ticket events of one Ensoras project on NATS JetStream and prints one line per event.
// It depends on the NATS client and ajv only, and on the JSON Schemas of docs/events: copy it and go.
//
//   node subscriber.mjs --project acme [--since 2026-12-01T00:00:00Z] [--server nats://127.0.0.1:4222]
//                       [--schemas ../../docs/events] [--until-caught-up]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Ajv } from 'ajv';

const { values: options } = parseArgs({
  options: {
    project: { type: 'string' },
    since: { type: 'string' },
    server: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
    schemas: { type: 'string', default: new URL('../../docs/events/', import.meta.url).pathname },
    'until-caught-up': { type: 'boolean', default: false },
  },
});

// A project id is one subject token: 1 to 64 of A-Z a-z 0-9 _ - (see the envelope's projectId in the schemas).
if (!options.project || !/^[A-Za-z0-9_-]{1,64}$/.test(options.project)) {
  console.error('usage: node subscriber.mjs --project <projectId> [--since <ISO 8601 time>] [--server <nats url>] [--schemas <dir>] [--until-caught-up]');
  process.exit(2);
}
const since = options.since === undefined ? undefined : new Date(options.since);
if (since && Number.isNaN(since.getTime())) {
  console.error(`--since ${options.since} is not an ISO 8601 time`);
  process.exit(2);
}

const validators = loadValidators(options.schemas);
const nc = await connect({ servers: options.server, name: 'ticket-subscriber' });
// An ordered consumer: ephemeral, created by the client, delivers in stream order and recreates itself after a gap.
// Nothing to clean up on the server; a service that must not miss events while it is down uses a durable consumer.
const consumer = await jetstream(nc).consumers.get('TICKETS', {
  filter_subjects: `ticket.${options.project}.>`,
  ...(since ? { opt_start_time: since.toISOString() } : { deliver_policy: DeliverPolicy.New }),
});

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void nc.drain());

// At least once: the same event may come twice (a publisher re-publishing after a crash). Its id says so.
const seen = new Set();
if (options['until-caught-up'] && (await consumer.info()).num_pending === 0) await nc.drain();
else {
  const messages = await consumer.consume();
  for await (const message of messages) {
    console.log(describe(message.subject, message.data, seen));
    if (options['until-caught-up'] && message.info.pending === 0) break;
  }
  await nc.drain();
}

/** One line: `<occurredAt> <type> v<version> ticket=<id> status=<status> id=<event id>`, or why the event was skipped. */
function describe(subject, data, seenIds) {
  let event;
  try {
    event = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return `skipped ${subject}: not JSON`;
  }
  const known = validators.get(event?.type);
  if (!known) return `skipped ${subject}: unknown event type ${JSON.stringify(event?.type)}`;
  // Major versions: a newer one than these schemas changed the payload in a way this code cannot read.
  const validate = known.get(event.version);
  if (!validate) return `skipped ${subject} ${event.id}: ${event.type} version ${event.version} is unknown here (schemas for ${[...known.keys()].join(', ')})`;
  if (!validate(event)) return `invalid ${subject} ${event.id}: ${problemOf(validate.errors[0])}`;
  if (seenIds.has(event.id)) return `duplicate ${event.id}`;
  seenIds.add(event.id);
  const { ticket } = event.payload;
  return `${event.occurredAt} ${event.type} v${event.version} ticket=${ticket.id} status=${ticket.status} id=${event.id}`;
}

/** `payload.ticket.subject: must be string` from ajv's error. */
function problemOf(error) {
  const path = error.instancePath.split('/').slice(1).reduce((joined, token) => (/^\d+$/.test(token) ? `${joined}[${token}]` : joined ? `${joined}.${token}` : token), '');
  if (error.keyword === 'required') return `${path ? `${path}.` : ''}${error.params.missingProperty}: is required`;
  return `${path || 'the event'}: ${error.message}`;
}

/** type → major version → validator, for every ticket event in docs/events/index.json. */
function loadValidators(directory) {
  const ajv = new Ajv({ allowUnionTypes: true });
  const index = JSON.parse(readFileSync(new URL('index.json', `file://${directory.replace(/\/?$/, '/')}`), 'utf8'));
  const byType = new Map();
  for (const entry of index.events.filter((event) => event.stream === 'TICKETS')) {
    const schema = JSON.parse(readFileSync(new URL(entry.schema, `file://${directory.replace(/\/?$/, '/')}`), 'utf8'));
    if (!byType.has(entry.type)) byType.set(entry.type, new Map());
    byType.get(entry.type).set(entry.version, ajv.compile(schema));
  }
  return byType;
}
