/**
 * MailboxLeases of two replicas against nats-server with the production configuration, each logged in as mail-ingest:
 * a lease taken by one is refused to the other, renewals go through (KvRevisionWriter under that user's permissions),
 * and each counts the other and what it holds from its announcement (the stream's subjects, one request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyValueBuckets, natsConnectionOptions, type MessagingOptions } from '@ensoras/messaging';
import { startLockedNats, type LockedNatsServer } from '@ensoras/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LEASE_RENEW_AFTER_MS, MailboxLeases } from './mailbox-leases.js';

let nats: LockedNatsServer;
const connections: NatsConnection[] = [];

async function replica(): Promise<MailboxLeases> {
  const messaging: MessagingOptions = { serviceName: 'mail-ingest', nats: nats.login('mail-ingest') };
  const connection = await connect(natsConnectionOptions(messaging.nats, messaging.serviceName));
  connections.push(connection);
  return new MailboxLeases(new KeyValueBuckets(connection), connection, messaging, await jetstreamManager(connection));
}

beforeAll(async () => {
  nats = await startLockedNats();
});

afterAll(async () => {
  for (const connection of connections) await connection.close();
  await nats?.server.stop();
});

describe('MailboxLeases on the production NATS configuration', () => {
  it('keeps a lease to one replica, renews it, and lets each count the other', async () => {
    const [a, b] = [await replica(), await replica()];
    expect(await a.tryAcquire('p-one')).toBe(true);
    expect(await a.tryAcquire('p-two')).toBe(true);
    expect(await b.tryAcquire('p-one')).toBe(false);
    // The keys with an entry, without the announcements.
    await b.announce();
    expect(await b.occupiedLeases()).toEqual(new Set(['p-one', 'p-two']));

    // A renewal, answered on the replica's own inbox.
    const lost: string[] = [];
    let clock = 0;
    a.now = () => clock;
    await a.tryAcquire('p-three');
    clock += LEASE_RENEW_AFTER_MS;
    a.renewDue((projectId) => lost.push(projectId));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lost).toEqual([]);
    expect(a.holds('p-three')).toBe(true);

    await a.announce();
    await b.announce();
    expect(await b.survey()).toEqual({ replicas: 2, heldByOthers: 3 });
    expect(await a.survey()).toEqual({ replicas: 2, heldByOthers: 0 });

    await b.leave();
    expect(await a.survey()).toEqual({ replicas: 1, heldByOthers: 0 });
    await a.release('p-one');
    expect(await b.tryAcquire('p-one')).toBe(true);
    await a.leave();
  });
});
