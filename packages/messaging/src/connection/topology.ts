import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, STREAMS } from '@ensoras/contracts';
import { type JetStreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

const DAY_NS = nanos(24 * 60 * 60 * 1000);

/**
 * Declares the streams every service relies on. Idempotent: each service calls it at start, so any one of them
 * can come up first; a stream that exists keeps its data.
 */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  const definitions = [
    ...Object.entries(STREAMS).map(([area, name]) => ({ name, subjects: [`${area}.>`], maxAge: 30 * DAY_NS })),
    { name: DEAD_LETTER_STREAM, subjects: [`${DEAD_LETTER_PREFIX}.>`], maxAge: 90 * DAY_NS },
  ];
  for (const { name, subjects, maxAge } of definitions) {
    const config = {
      name,
      subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: maxAge,
      // Window in which a re-published Nats-Msg-Id is dropped as a duplicate (outbox relay after a crash).
      duplicate_window: nanos(10 * 60 * 1000),
      // Mail bodies are capped by the producer; this bounds one message of a stream.
      max_msg_size: 8 * 1024 * 1024,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (raceError) {
        // Another replica created it between our info and add.
        if (!String(raceError).includes('already in use')) throw raceError;
      }
    }
  }
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String((error as Error)?.message ?? error));
}
