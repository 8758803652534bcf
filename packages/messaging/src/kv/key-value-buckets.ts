import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamSettingsOf } from '../connection/stream-settings.js';
import { whenLed } from '../connection/topology.js';
import { MESSAGING_OPTIONS, NATS_CONNECTION, type MessagingOptions } from '../messaging.tokens.js';

/**
 * Opens (creating when absent) the file-backed KV buckets and object stores the services share, with the replicas
 * of NATS_STREAM_REPLICAS (one copy when constructed without the messaging options).
 */
@Injectable()
export class KeyValueBuckets {
  private readonly logger = new Logger(KeyValueBuckets.name);
  private readonly buckets = new Map<string, Promise<KV>>();
  private readonly stores = new Map<string, Promise<ObjectStore>>();
  private readonly replicas: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Optional() @Inject(MESSAGING_OPTIONS) options?: MessagingOptions,
  ) {
    this.replicas = streamSettingsOf(options?.nats).replicas;
  }

  bucket(name: string, options: { ttlMs?: number; history?: number } = {}): Promise<KV> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = (async () => {
        const kv = await new Kvm(this.connection).create(name, {
          storage: StorageType.File,
          history: options.history ?? 1,
          replicas: this.replicas,
          ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
        });
        await this.keepReplicas(`KV_${name}`);
        return kv;
      })();
      bucket.catch(() => this.buckets.delete(name));
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  objectStore(name: string): Promise<ObjectStore> {
    let store = this.stores.get(name);
    if (!store) {
      store = (async () => {
        const created = await new Objm(this.connection).create(name, { storage: StorageType.File, replicas: this.replicas });
        await this.keepReplicas(`OBJ_${name}`);
        return created;
      })();
      store.catch(() => this.stores.delete(name));
      this.stores.set(name, store);
    }
    return store;
  }

  /**
   * Creating a bucket that exists changes nothing, so a changed NATS_STREAM_REPLICAS is applied here. Only the
   * bucket's writer may update its stream (infra/nats/nats-server.conf); a reader leaves it to the writer.
   */
  private async keepReplicas(stream: string): Promise<void> {
    const jsm = await jetstreamManager(this.connection);
    const info = await jsm.streams.info(stream);
    if (info.config.num_replicas === this.replicas) return;
    try {
      await jsm.streams.update(stream, { ...info.config, num_replicas: this.replicas });
      await whenLed(jsm, stream);
      this.logger.log(`${stream}: replicas ${info.config.num_replicas} → ${this.replicas}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!/permission/i.test(reason)) throw error;
      this.logger.log(`${stream} keeps ${info.config.num_replicas} replicas until its writer applies NATS_STREAM_REPLICAS=${this.replicas}`);
    }
  }
}
