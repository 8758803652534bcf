/**
 * KvRevisionWriter against nats-server with the production configuration, logged in as mail-ingest: its writes and
 * their answers pass that user's permissions (publish to the lease bucket, replies under its own inbox), a write
 * against the revision the key has lands, one against any other is refused as WrongRevisionError, and a key that
 * expired cannot be written in our name again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX_LEASE_BUCKET } from '@ensoras/contracts';
import { natsConnectionOptions } from '@ensoras/messaging';
import { startLockedNats, type LockedNatsServer } from '@ensoras/testing';
import { Kvm, type KV } from '@nats-io/kv';
import { StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { KvRevisionWriter, WrongRevisionError } from './kv-revision-writer.js';

let nats: LockedNatsServer;
let connection: NatsConnection;
let bucket: KV;
let writer: KvRevisionWriter;

beforeAll(async () => {
  nats = await startLockedNats();
  const options = natsConnectionOptions(nats.login('mail-ingest'), 'mail-ingest');
  connection = await connect(options);
  bucket = await new Kvm(connection).create(MAILBOX_LEASE_BUCKET, { storage: StorageType.File, history: 1, ttl: 2_000 });
  writer = new KvRevisionWriter(connection, MAILBOX_LEASE_BUCKET, options.inboxPrefix!, 3_000);
});

afterAll(async () => {
  writer?.close();
  await connection?.close();
  await nats?.server.stop();
});

describe('KvRevisionWriter', () => {
  it('writes against the revision the key has, as kv.update does, and answers with the new revision', async () => {
    const created = await bucket.create('p-writer', 'replica-a');
    const revisions = await Promise.all([writer.update('p-writer', 'replica-a', created), writer.update('p-other', 'x', 0)]);
    expect(revisions[0]).toBeGreaterThan(created);
    const entry = await bucket.get('p-writer');
    expect(entry?.revision).toBe(revisions[0]);
    expect(entry?.string()).toBe('replica-a');
  });

  it('refuses a write against any other revision, and one to a key that expired', async () => {
    const created = await bucket.create('p-moved', 'replica-a');
    await bucket.update('p-moved', 'replica-b', created);
    await expect(writer.update('p-moved', 'replica-a', created)).rejects.toBeInstanceOf(WrongRevisionError);
    expect((await bucket.get('p-moved'))?.string()).toBe('replica-b');

    const expiring = await bucket.create('p-expired', 'replica-a');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(writer.update('p-expired', 'replica-a', expiring)).rejects.toBeInstanceOf(WrongRevisionError);
    expect(await bucket.get('p-expired')).toBeNull();
  });

  it('many writes at once each get their own answer', async () => {
    const keys = Array.from({ length: 200 }, (_, index) => `p-many-${index}`);
    const created = await Promise.all(keys.map((key) => bucket.create(key, 'replica-a')));
    const written = await Promise.all(keys.map((key, index) => writer.update(key, 'replica-a', created[index]!)));
    const entries = await Promise.all(keys.map((key) => bucket.get(key)));
    expect(entries.map((entry) => entry?.revision)).toEqual(written);
  });
});
