import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueBuckets, MessagingOptions } from '@ensoras/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import { LEASE_RENEW_AFTER_MS, LEASE_ROUND_INTERVAL_MS, LEASE_VALID_MS, MailboxLeases, heldCountOf } from './mailbox-leases.js';

/**
 * The lease bucket as JetStream keeps it (one revision counter for the whole stream, a key's last revision checked on
 * conditional writes), reached both through the KV API (take, read, release) and as raw publishes with the expected
 * revision in a header (renewals, see KvRevisionWriter). Renewal answers can be held back to play a slow or silent
 * server.
 */
class FakeLeaseBucket {
  private sequence = 0;
  readonly entries = new Map<string, { value: string; revision: number; operation: 'PUT' | 'DEL' }>();
  private callback: ((error: Error | null, message: unknown) => void) | null = null;
  /** Renewals published, with their answer held until `answer()` when `holdAnswers` is set. */
  readonly renewals: { key: string; expected: number; deliver: () => void }[] = [];
  holdAnswers = false;

  write(key: string, value: string, operation: 'PUT' | 'DEL' = 'PUT'): number {
    this.sequence += 1;
    this.entries.set(key, { value, revision: this.sequence, operation });
    return this.sequence;
  }

  /** Another replica takes the key over (after it expired for us). */
  takeOver(key: string, replicaId: string): void {
    this.write(key, replicaId);
  }

  expire(key: string): void {
    this.entries.delete(key);
  }

  readonly kv = {
    create: async (key: string, value: string) => {
      const entry = this.entries.get(key);
      if (entry && entry.operation === 'PUT') throw Object.assign(new Error('wrong last sequence: 1'), { code: 10071 });
      return this.write(key, value);
    },
    update: async (key: string, value: string, revision: number) => {
      if (this.entries.get(key)?.revision !== revision) throw Object.assign(new Error('wrong last sequence'), { code: 10071 });
      return this.write(key, value);
    },
    get: async (key: string) => {
      const entry = this.entries.get(key);
      return entry ? { operation: entry.operation, revision: entry.revision, string: () => entry.value } : null;
    },
    put: async (key: string, value: string) => this.write(key, value),
    delete: async (key: string, options?: { previousSeq?: number }) => {
      if (options?.previousSeq !== undefined && this.entries.get(key)?.revision !== options.previousSeq) throw new Error('wrong last sequence');
      this.write(key, '', 'DEL');
    },
  };

  readonly connection = {
    subscribe: (_subject: string, options: { callback: (error: Error | null, message: unknown) => void }) => {
      this.callback = options.callback;
      return { isClosed: () => false, unsubscribe: () => (this.callback = null) };
    },
    publish: (subject: string, data: Uint8Array, options: { reply: string; headers: { get(key: string): string } }) => {
      const key = subject.replace(/^\$KV\.[^.]+\./u, '');
      const expected = Number(options.headers.get('Nats-Expected-Last-Subject-Sequence'));
      const value = new TextDecoder().decode(data);
      const deliver = () => {
        const ack =
          this.entries.get(key)?.revision === expected
            ? { stream: 'KV_mailbox-leases', seq: this.write(key, value) }
            : { error: { code: 400, err_code: 10071, description: `wrong last sequence: ${this.entries.get(key)?.revision ?? 0}` } };
        this.callback?.(null, { subject: options.reply, data: new TextEncoder().encode(JSON.stringify(ack)), headers: undefined });
      };
      this.renewals.push({ key, expected, deliver });
      if (!this.holdAnswers) deliver();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let leases: MailboxLeases | undefined;

function leasesOn(bucket: FakeLeaseBucket): { leases: MailboxLeases; clock: { now: number }; lost: string[] } {
  const buckets = { bucket: async () => bucket.kv } as unknown as KeyValueBuckets;
  const messaging = { serviceName: 'mail-ingest', nats: { NATS_URL: 'nats://127.0.0.1:4222', NATS_USER: 'mail-ingest' } } as MessagingOptions;
  const streams = {
    streams: {
      info: async (_stream: string, options: { subjects_filter: string }) => {
        const prefix = options.subjects_filter.replace(/^\$KV\.[^.]+\./u, '').replace(/>$/u, '');
        const subjects = Object.fromEntries(
          [...bucket.entries].filter(([key]) => key.startsWith(prefix)).map(([key]) => [`$KV.mailbox-leases.${key}`, 1]),
        );
        return { state: { subjects } };
      },
    },
  } as unknown as ConstructorParameters<typeof MailboxLeases>[3];
  leases = new MailboxLeases(buckets, bucket.connection as unknown as NatsConnection, messaging, streams);
  const clock = { now: 1_000_000 };
  leases.now = () => clock.now;
  return { leases, clock, lost: [] };
}

afterEach(() => {
  void leases?.leave();
  leases = undefined;
});

describe('MailboxLeases', () => {
  it('renews a lease once its last write is LEASE_RENEW_AFTER_MS old, one write at a time, against the revision it wrote', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases, clock, lost } = leasesOn(bucket);
    expect(await leases.tryAcquire('p1')).toBe(true);
    const taken = bucket.entries.get('p1')!.revision;

    clock.now += LEASE_RENEW_AFTER_MS - 1;
    leases.renewDue((projectId) => lost.push(projectId));
    expect(bucket.renewals).toHaveLength(0);

    clock.now += 1;
    bucket.holdAnswers = true;
    leases.renewDue((projectId) => lost.push(projectId));
    leases.renewDue((projectId) => lost.push(projectId));
    expect(bucket.renewals).toEqual([expect.objectContaining({ key: 'p1', expected: taken })]);
    bucket.renewals[0]!.deliver();
    await settle();
    const renewed = bucket.entries.get('p1')!.revision;

    // The next renewal goes against the revision the first one wrote, LEASE_RENEW_AFTER_MS after it was sent.
    bucket.holdAnswers = false;
    clock.now += LEASE_RENEW_AFTER_MS;
    leases.renewDue((projectId) => lost.push(projectId));
    await settle();
    expect(bucket.renewals.map((renewal) => renewal.expected)).toEqual([taken, renewed]);
    expect(bucket.entries.get('p1')).toMatchObject({ value: leases.replicaId });
    expect(bucket.entries.get('p1')!.revision).toBeGreaterThan(renewed);
    expect(leases.holds('p1')).toBe(true);
    expect(lost).toEqual([]);
  });

  it('gives a lease up at once when its renewal finds the key taken over', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases, clock, lost } = leasesOn(bucket);
    await leases.tryAcquire('p1');
    bucket.expire('p1');
    bucket.takeOver('p1', 'other-replica');

    clock.now += LEASE_RENEW_AFTER_MS;
    leases.renewDue((projectId) => lost.push(projectId));
    await settle();
    expect(lost).toEqual(['p1']);
    expect(leases.holds('p1')).toBe(false);
    // Not ours, and no write of ours is unanswered: a later attempt fails without adopting it.
    expect(await leases.tryAcquire('p1')).toBe(false);
    expect(bucket.entries.get('p1')?.value).toBe('other-replica');
  });

  it('keeps a lease whose renewal is unanswered only until LEASE_VALID_MS after its last answered write', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases, clock, lost } = leasesOn(bucket);
    await leases.tryAcquire('p1');
    bucket.holdAnswers = true;

    clock.now += LEASE_RENEW_AFTER_MS;
    leases.renewDue((projectId) => lost.push(projectId));
    clock.now += LEASE_VALID_MS - LEASE_RENEW_AFTER_MS - 1;
    leases.renewDue((projectId) => lost.push(projectId));
    expect(leases.holds('p1')).toBe(true);

    clock.now += 1;
    leases.renewDue((projectId) => lost.push(projectId));
    expect(lost).toEqual(['p1']);
    expect(leases.holds('p1')).toBe(false);

    // The renewal landed after all: the key holds our id, so the next attempt adopts it instead of waiting it out.
    bucket.renewals[0]!.deliver();
    await settle();
    expect(leases.holds('p1')).toBe(false);
    bucket.holdAnswers = false;
    expect(await leases.tryAcquire('p1')).toBe(true);
    expect(bucket.entries.get('p1')?.value).toBe(leases.replicaId);
  });

  it('releases the revision a renewal in flight wrote, not the one before it', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases, clock } = leasesOn(bucket);
    await leases.tryAcquire('p1');
    bucket.holdAnswers = true;
    clock.now += LEASE_RENEW_AFTER_MS;
    leases.renewDue(() => undefined);

    const released = leases.release('p1');
    bucket.renewals[0]!.deliver();
    await released;
    expect(bucket.entries.get('p1')?.operation).toBe('DEL');
    expect(leases.holds('p1')).toBe(false);
  });

  it('announces itself from the renewal tick, every LEASE_ROUND_INTERVAL_MS', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases, clock } = leasesOn(bucket);
    await leases.tryAcquire('p1');
    const announcement = () => bucket.entries.get(`replica.${leases.replicaId}`);
    leases.renewDue(() => undefined);
    await settle();
    const first = announcement()!.revision;
    expect(JSON.parse(announcement()!.value)).toEqual({ held: 1 });
    clock.now += LEASE_ROUND_INTERVAL_MS - 1;
    leases.renewDue(() => undefined);
    await settle();
    expect(announcement()!.revision).toBe(first);
    clock.now += 1;
    leases.renewDue(() => undefined);
    await settle();
    expect(announcement()!.revision).toBeGreaterThan(first);
  });

  it('counts the live replicas and what the others hold; an older replica that writes its id makes the count unknown', async () => {
    const bucket = new FakeLeaseBucket();
    const { leases } = leasesOn(bucket);
    await leases.tryAcquire('p1');
    await leases.announce();
    bucket.write('replica.b', JSON.stringify({ held: 4 }));
    bucket.write('replica.c', JSON.stringify({ held: 2 }));
    expect(await leases.survey()).toEqual({ replicas: 3, heldByOthers: 6 });
    expect(JSON.parse(bucket.entries.get(`replica.${leases.replicaId}`)!.value)).toEqual({ held: 1 });

    // One that left keeps its subject as a delete marker, and does not count.
    bucket.write('replica.c', '', 'DEL');
    expect(await leases.survey()).toEqual({ replicas: 2, heldByOthers: 4 });

    bucket.write('replica.old', 'old-replica-id');
    expect(await leases.survey()).toEqual({ replicas: 3, heldByOthers: null });
  });

  it('reads an announcement: a count, gone (0) or not said (null)', () => {
    const entry = (value: string, operation = 'PUT') => ({ operation, string: () => value });
    expect(heldCountOf(entry('{"held":334}'))).toBe(334);
    expect(heldCountOf(null)).toBe(0);
    expect(heldCountOf(entry('', 'DEL'))).toBe(0);
    expect(heldCountOf(entry('host-123-abcd'))).toBeNull();
    expect(heldCountOf(entry('{"held":-1}'))).toBeNull();
  });
});
