import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM } from '@ensoras/contracts';
import { jetstream, jetstreamManager, type JsMsg, type StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';

/** `permanent`: the handler said no retry can help; `exhausted`: it kept failing for an unknown reason. */
export type DeadLetterKind = 'permanent' | 'exhausted';

/** Set on a replayed event: only the consumer of that service handles it, the others acknowledge and skip it. */
export const REPLAY_FOR_HEADER = 'Ensoras-Replay-For';

const ERROR_HEADER = 'Ensoras-Error';
const KIND_HEADER = 'Ensoras-Failure-Kind';
const ATTEMPTS_HEADER = 'Ensoras-Attempts';
const STREAM_SEQ_HEADER = 'Ensoras-Stream-Seq';
const CONSUMER_HEADER = 'Ensoras-Consumer';

/** A dead letter as listed: what failed, where, why; no payload (it may hold mail content). */
export interface DeadLetter {
  /** Sequence in the DEADLETTER stream: what `replay` takes. */
  seq: number;
  /** The service (durable name) that gave up on it. */
  service: string;
  /** Its consumer, e.g. `ticketing__mail_any_received`. */
  consumer: string | null;
  /** The event's own subject. */
  subject: string;
  kind: DeadLetterKind | null;
  reason: string;
  attempts: number;
  deadLetteredAt: string;
  eventId: string | null;
  eventType: string | null;
  projectId: string | null;
  sizeBytes: number;
}

export interface ReplayResult {
  replayed: { seq: number; subject: string; eventId: string | null }[];
}

/** Copies a message to `deadletter.<service>.<subject>` with why and how often it failed. */
export async function deadLetter(
  connection: NatsConnection,
  service: string,
  message: JsMsg,
  failure: { kind: DeadLetterKind; reason: string; consumer: string },
): Promise<void> {
  const headers = natsHeaders();
  headers.set(ERROR_HEADER, oneLine(failure.reason).slice(0, 1_000));
  headers.set(KIND_HEADER, failure.kind);
  headers.set(ATTEMPTS_HEADER, String(message.info.deliveryCount));
  headers.set(STREAM_SEQ_HEADER, String(message.info.streamSequence));
  headers.set(CONSUMER_HEADER, failure.consumer);
  await jetstream(connection).publish(`${DEAD_LETTER_PREFIX}.${service}.${message.subject}`, message.data, {
    headers,
    msgID: `${service}:${message.info.stream}:${message.info.streamSequence}`,
  });
}

export interface DeadLetterQuery {
  /** Only those of this consumer (e.g. `ticketing__mail_any_received`). */
  consumer?: string;
  limit?: number;
  /** Start after this DEADLETTER sequence (paging). */
  after?: number;
}

/** The dead letters of one service (or of one of its consumers), oldest first. */
export async function listDeadLetters(connection: NatsConnection, service: string, query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  const jsm = await jetstreamManager(connection);
  const filter = filterOf(service);
  const letters: DeadLetter[] = [];
  let seq = (query.after ?? 0) + 1;
  while (letters.length < (query.limit ?? 100)) {
    const stored = await nextMatching(jsm, seq, filter);
    if (!stored) break;
    const letter = describe(stored, service);
    if (!query.consumer || letter.consumer === query.consumer) letters.push(letter);
    seq = stored.seq + 1;
  }
  return letters;
}

/** How many dead letters of the service wait in the DEADLETTER stream. */
export async function countDeadLetters(connection: NatsConnection, service: string): Promise<number> {
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info(DEAD_LETTER_STREAM, { subjects_filter: filterOf(service) }).catch((error: unknown) => {
    if ((error as { code?: number }).code === 10059) return null;
    throw error;
  });
  return Object.values(info?.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
}

/**
 * Publishes dead letters of `service` again on their own subject, for that service's consumer only, then removes
 * them from DEADLETTER. `which` is one DEADLETTER sequence, or `{ consumer }` for all of one consumer; without it,
 * all of the service. Each replay carries the Nats-Msg-Id `replay:<seq>`, so replaying the same dead letter twice
 * at once stores it once; the handlers are idempotent (inbox or natural keys), so an event that was handled after
 * all is not handled twice.
 */
export async function replayDeadLetters(
  connection: NatsConnection,
  service: string,
  which?: number | { consumer: string },
): Promise<ReplayResult> {
  const seq = typeof which === 'number' ? which : undefined;
  const consumer = typeof which === 'object' ? which.consumer : undefined;
  const jsm = await jetstreamManager(connection);
  const js = jetstream(connection);
  const prefix = `${DEAD_LETTER_PREFIX}.${service}.`;
  const replayed: ReplayResult['replayed'] = [];
  // Only what is there now: an event that fails again is dead-lettered anew, after this point.
  const info = await jsm.streams.info(DEAD_LETTER_STREAM).catch((error: unknown) => {
    if ((error as { code?: number }).code === 10059) return null;
    throw error;
  });
  const last = info?.state.last_seq ?? 0;
  let next = seq ?? 1;
  while (next <= last) {
    const stored =
      seq === undefined
        ? await nextMatching(jsm, next, filterOf(service))
        : await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq }).catch(() => null);
    if (!stored || stored.seq > last || !stored.subject.startsWith(prefix)) break;
    next = stored.seq + 1;
    if (consumer && stored.header?.get(CONSUMER_HEADER) !== consumer) continue;
    const subject = stored.subject.slice(prefix.length);
    const headers = natsHeaders();
    headers.set(REPLAY_FOR_HEADER, service);
    await js.publish(subject, stored.data, { headers, msgID: `replay:${stored.seq}` });
    // Gone already: a replay running at the same time took it (its publish and ours were stored once).
    const removed = await jsm.streams.deleteMessage(DEAD_LETTER_STREAM, stored.seq, false).catch((error: unknown) => {
      if (/no message found/i.test(String((error as Error)?.message))) return false;
      throw error;
    });
    if (removed) replayed.push({ seq: stored.seq, subject, eventId: envelopeOf(stored)?.id ?? null });
    if (seq !== undefined) break;
  }
  return { replayed };
}

type Manager = Awaited<ReturnType<typeof jetstreamManager>>;

/** The first message at or after `seq` whose subject matches `filter` (STREAM.MSG.GET with next_by_subj). */
async function nextMatching(jsm: Manager, seq: number, filter: string): Promise<StoredMsg | null> {
  try {
    return await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq, next_by_subj: filter } as unknown as { seq: number });
  } catch (error) {
    if ((error as { code?: number }).code === 10059) return null;
    throw error;
  }
}

function filterOf(service: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(service)) throw new Error(`"${service}" is not a service name`);
  return `${DEAD_LETTER_PREFIX}.${service}.>`;
}

function describe(stored: StoredMsg, service: string): DeadLetter {
  const envelope = envelopeOf(stored);
  const header = (name: string) => stored.header?.get(name) || null;
  const kind = header(KIND_HEADER);
  return {
    seq: stored.seq,
    service,
    consumer: header(CONSUMER_HEADER),
    subject: stored.subject.slice(`${DEAD_LETTER_PREFIX}.${service}.`.length),
    kind: kind === 'permanent' || kind === 'exhausted' ? kind : null,
    reason: header(ERROR_HEADER) ?? '',
    attempts: Number(header(ATTEMPTS_HEADER) ?? 0),
    deadLetteredAt: stored.time.toISOString(),
    eventId: envelope?.id ?? null,
    eventType: envelope?.type ?? null,
    projectId: envelope?.projectId ?? null,
    sizeBytes: stored.data.length,
  };
}

function envelopeOf(stored: StoredMsg): { id?: string; type?: string; projectId?: string } | null {
  try {
    const value = stored.json<unknown>();
    return value && typeof value === 'object' ? (value as { id?: string; type?: string; projectId?: string }) : null;
  } catch {
    return null;
  }
}

/** Header values cannot hold line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
