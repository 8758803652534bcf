import { Inject, Injectable } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '../messaging.tokens.js';

/** Opens (creating when absent) the file-backed KV buckets and object stores the services share. */
@Injectable()
export class KeyValueBuckets {
  private readonly buckets = new Map<string, Promise<KV>>();
  private readonly stores = new Map<string, Promise<ObjectStore>>();

  constructor(@Inject(NATS_CONNECTION) private readonly connection: NatsConnection) {}

  bucket(name: string, options: { ttlMs?: number; history?: number } = {}): Promise<KV> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Kvm(this.connection).create(name, {
        storage: StorageType.File,
        history: options.history ?? 1,
        ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
      });
      bucket.catch(() => this.buckets.delete(name));
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  objectStore(name: string): Promise<ObjectStore> {
    let store = this.stores.get(name);
    if (!store) {
      store = new Objm(this.connection).create(name, { storage: StorageType.File });
      store.catch(() => this.stores.delete(name));
      this.stores.set(name, store);
    }
    return store;
  }
}
