/**
 * NATS_STREAM_REPLICAS and NATS_STREAM_MAX_AGE against real servers: a 3-node cluster with the production users
 * (infra/nats/cluster/nats-cluster.conf), and a single server that cannot hold three copies.
 */
import { DEAD_LETTER_STREAM, MAILBOX_LEASE_BUCKET, RAW_MAIL_OBJECT_STORE, STREAMS } from '@ensoras/contracts';
import { startLockedNats, startLockedNatsCluster, type LockedNatsCluster, type NatsUser } from '@ensoras/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyValueBuckets } from '../kv/key-value-buckets.js';
import type { MessagingOptions } from '../messaging.tokens.js';
import type { NatsSettings } from './nats-settings.js';
import { streamSettingsOf } from './stream-settings.js';
import { ensureStreams } from './topology.js';

const DAY_NS = 24 * 60 * 60 * 1e9;
const EVENT_STREAMS = [...Object.values(STREAMS), DEAD_LETTER_STREAM];

describe('stream replicas and retention on a 3-node cluster', () => {
  let cluster: LockedNatsCluster;
  const connections: NatsConnection[] = [];
  const as = async (user: NatsUser) => {
    const login = cluster.login(user);
    const connection = await connect({ servers: login.NATS_URL.split(','), user: login.NATS_USER, pass: login.NATS_PASSWORD, inboxPrefix: `_INBOX.${user}` });
    connections.push(connection);
    return connection;
  };
  const streamsOf = async () => {
    const jsm = await jetstreamManager(await as('ops'));
    return Promise.all(EVENT_STREAMS.map(async (name) => (await jsm.streams.info(name)).config));
  };
  const buckets = (connection: NatsConnection, nats: Partial<NatsSettings>) =>
    new KeyValueBuckets(connection, { serviceName: 'test', nats: { NATS_URL: '', ...nats } } as MessagingOptions);

  beforeAll(async () => {
    cluster = await startLockedNatsCluster();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await cluster?.stop();
  });

  it('creates the streams as told, then changes their replicas and retention when the settings change', async () => {
    const ticketing = await jetstreamManager(await as('ticketing'));
    await ensureStreams(ticketing, streamSettingsOf({}));
    expect((await streamsOf()).map((config) => [config.name, config.num_replicas, config.max_age / DAY_NS])).toEqual([
      ['MAIL', 1, 30],
      ['TICKETS', 1, 30],
      ['REPLIES', 1, 30],
      ['CHANNELS', 1, 30],
      ['DEADLETTER', 1, 90],
    ]);

    // Another service, started later with the cluster's settings: every stream gets three copies and the new retention.
    await ensureStreams(await jetstreamManager(await as('mail-outbound')), streamSettingsOf({ NATS_STREAM_REPLICAS: 3, NATS_STREAM_MAX_AGE: '7d' }));
    expect((await streamsOf()).map((config) => [config.name, config.num_replicas, config.max_age / DAY_NS])).toEqual([
      ['MAIL', 3, 7],
      ['TICKETS', 3, 7],
      ['REPLIES', 3, 7],
      ['CHANNELS', 3, 7],
      ['DEADLETTER', 3, 90],
    ]);
    await cluster.whenCurrent(EVENT_STREAMS);
    const placement = await cluster.placement(STREAMS.mail);
    expect([placement.leader, ...placement.replicas.map((replica) => replica.name)].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('gives a new bucket and object store the replicas, and lets only their writer change those of existing ones', async () => {
    const ingest = await as('mail-ingest');
    await buckets(ingest, {}).bucket(MAILBOX_LEASE_BUCKET, { ttlMs: 15_000 });
    await buckets(ingest, { NATS_STREAM_REPLICAS: 3 }).objectStore(RAW_MAIL_OBJECT_STORE);
    const jsm = await jetstreamManager(await as('ops'));
    expect((await jsm.streams.info(`KV_${MAILBOX_LEASE_BUCKET}`)).config.num_replicas).toBe(1);
    expect((await jsm.streams.info(`OBJ_${RAW_MAIL_OBJECT_STORE}`)).config.num_replicas).toBe(3);

    // ticketing reads raw-mail but may not change it: it opens the store as it is.
    await buckets(await as('ticketing'), { NATS_STREAM_REPLICAS: 1 }).objectStore(RAW_MAIL_OBJECT_STORE);
    expect((await jsm.streams.info(`OBJ_${RAW_MAIL_OBJECT_STORE}`)).config.num_replicas).toBe(3);

    const leases = await buckets(ingest, { NATS_STREAM_REPLICAS: 3 }).bucket(MAILBOX_LEASE_BUCKET, { ttlMs: 15_000 });
    const config = (await jsm.streams.info(`KV_${MAILBOX_LEASE_BUCKET}`)).config;
    expect([config.num_replicas, config.max_age / 1e6]).toEqual([3, 15_000]);
    await leases.put('p1', 'replica-a');
    expect((await leases.get('p1'))?.string()).toBe('replica-a');
  });
});

describe('stream replicas on a single server', () => {
  it('refuses three copies at once, saying what to change', async () => {
    const nats = await startLockedNats();
    const login = nats.login('ticketing');
    const connection = await connect({ servers: login.NATS_URL, user: login.NATS_USER, pass: login.NATS_PASSWORD, inboxPrefix: '_INBOX.ticketing' });
    try {
      await expect(ensureStreams(await jetstreamManager(connection), streamSettingsOf({ NATS_STREAM_REPLICAS: 3 }))).rejects.toThrow(
        /^Stream MAIL cannot have 3 replicas \(.*\): NATS_STREAM_REPLICAS needs a NATS cluster of at least that many servers with JetStream$/,
      );
    } finally {
      await connection.close();
      await nats.server.stop();
    }
  });
});
