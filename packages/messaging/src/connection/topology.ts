import { Logger } from '@nestjs/common';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, STREAMS } from '@ensoras/contracts';
import { type JetStreamManager, RetentionPolicy, StorageType, DiscardPolicy, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { DEFAULT_STREAM_SETTINGS, formatStreamDuration, type StreamSettings } from './stream-settings.js';

/** Window in which a re-published Nats-Msg-Id is dropped as a duplicate (outbox relay after a crash). */
const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/**
 * Declares the streams every service relies on, with the retention and replicas of `settings` (the NATS_STREAM_*
 * variables). Idempotent: each service calls it at start, so any one of them can come up first; a stream that exists
 * keeps its data, and is updated only when one of our settings differs (e.g. NATS_STREAM_REPLICAS went from 1 to 3:
 * JetStream copies the stream to the new replicas).
 */
export async function ensureStreams(jsm: JetStreamManager, settings: StreamSettings = DEFAULT_STREAM_SETTINGS): Promise<void> {
  for (const config of streamConfigs(settings)) await ensureStream(jsm, config);
}

/** What we set on each stream; anything else on it (placement, an operator's metadata) is left as it is. */
export function streamConfigs(settings: StreamSettings): Array<Partial<StreamConfig> & { name: string }> {
  const definitions = [
    ...Object.entries(STREAMS).map(([area, name]) => ({ name, subjects: [`${area}.>`], maxAgeMs: settings.maxAgeMs })),
    { name: DEAD_LETTER_STREAM, subjects: [`${DEAD_LETTER_PREFIX}.>`], maxAgeMs: settings.deadLetterMaxAgeMs },
  ];
  return definitions.map(({ name, subjects, maxAgeMs }) => ({
    name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    num_replicas: settings.replicas,
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, maxAgeMs)),
    // Mail bodies are capped by the producer; this bounds one message of a stream.
    max_msg_size: 8 * 1024 * 1024,
  }));
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch((error: unknown) => {
    if (isNotFound(error)) return null;
    throw error;
  });
  try {
    if (!existing) {
      await jsm.streams.add(config).catch((raceError: unknown) => {
        // Another replica created it between our info and add; its settings come from the same environment.
        if (!String(raceError).includes('already in use')) throw raceError;
      });
      return;
    }
    const changes = differences(existing.config, config);
    if (changes.length === 0) return;
    new Logger('Streams').log(`Stream ${config.name}: ${changes.join(', ')}`);
    await jsm.streams.update(config.name, { ...existing.config, ...config });
    await whenLed(jsm, config.name);
  } catch (error) {
    throw explained(error, config);
  }
}

/** Our settings that differ from the stream's, as `num_replicas 1 → 3`; durations in days, hours or minutes. */
export function differences(current: Partial<StreamConfig>, wanted: Partial<StreamConfig>): string[] {
  const shown = (key: string, value: unknown) =>
    (key === 'max_age' || key === 'duplicate_window') && typeof value === 'number' ? formatStreamDuration(value / 1e6) : JSON.stringify(value);
  return Object.entries(wanted)
    .filter(([key, value]) => JSON.stringify(current[key as keyof StreamConfig]) !== JSON.stringify(value))
    .map(([key, value]) => `${key} ${shown(key, current[key as keyof StreamConfig])} → ${shown(key, value)}`);
}

/**
 * Waits (up to `timeoutMs`) until a stream whose replicas just changed has a leader again: until then a publish to it
 * finds no responders. A single server always leads.
 */
export async function whenLed(jsm: JetStreamManager, stream: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(stream).catch(() => null);
    if (info && (!info.cluster || info.cluster.leader)) return;
    if (Date.now() > deadline) throw new Error(`Stream ${stream} has no leader ${timeoutMs / 1000} s after its replicas changed`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Replicas the servers cannot hold are a setting to fix, not a reason to retry: say which. */
function explained(error: unknown, config: { name: string; num_replicas?: number }): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/replicas > 1 not supported|insufficient resources|no suitable peers/i.test(message)) return error;
  return new Error(
    `Stream ${config.name} cannot have ${config.num_replicas} replicas (${message}): NATS_STREAM_REPLICAS needs a NATS cluster of at least that many servers with JetStream`,
    { cause: error },
  );
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String((error as Error)?.message ?? error));
}
