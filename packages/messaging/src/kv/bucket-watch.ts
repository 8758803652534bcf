import type { KV, KvWatchEntry } from '@nats-io/kv';

export interface BucketWatch {
  stop(): void;
  /** Resolves once the bucket's contents at the start have all gone through `apply`. */
  loaded: Promise<void>;
}

/**
 * Watches a bucket for a replica kept in memory: each entry, the initial contents first and then every change, goes
 * to `apply`, which must not throw (a bad entry is the replica's to skip). `onEnd` hears why a watch ended early.
 */
export async function watchBucket(bucket: KV, apply: (entry: KvWatchEntry) => void, onEnd: (error: unknown) => void): Promise<BucketWatch> {
  let markLoaded!: () => void;
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  if ((await bucket.status()).values === 0) markLoaded();
  const watcher = await bucket.watch();
  void (async () => {
    for await (const entry of watcher) {
      apply(entry);
      // delta counts the entries still pending from the initial contents.
      if (entry.delta === 0) markLoaded();
    }
  })().catch(onEnd);
  return { stop: () => watcher.stop(), loaded };
}
