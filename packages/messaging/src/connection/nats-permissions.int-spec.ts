import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as contracts from '@ensoras/contracts';
import {
  API_TOKENS_BUCKET,
  CHANNEL_SETTINGS_BUCKET,
  ChannelConfigured,
  ChannelPaused,
  ChannelResumed,
  MAILBOX_LEASE_BUCKET,
  MAILBOX_STATUS_BUCKET,
  OAUTH_ACCESS_TOKEN_BUCKET,
  MailFailed,
  MailReceived,
  MailSendRequested,
  MailSent,
  RAW_MAIL_OBJECT_STORE,
  ReplyHandoff,
  ReplyProposed,
  TicketCreated,
  TicketMessageCreated,
  TicketUpdated,
  createEnvelope,
  type EventDefinition,
  type EventEnvelope,
} from '@ensoras/contracts';
import { eventually, NATS_USERS, startLockedNats, type LockedNatsServer, type NatsTestServer, type NatsUser } from '@ensoras/testing';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../consuming/event-failure.js';
import { JetStreamServer } from '../consuming/jetstream.server.js';
import { listDeadLetters, replayDeadLetters } from '../dead-letters/dead-letters.js';
import { ApiTokenReplica, apiTokenKey } from '../kv/api-token.replica.js';
import { ChannelSettingsReplica } from '../kv/channel-settings.replica.js';
import { OAuthAccessTokenReplica } from '../kv/oauth-access-token.replica.js';
import { KeyValueBuckets } from '../kv/key-value-buckets.js';
import { EventPublisher } from '../publishing/event-publisher.js';
import { connectNats } from './nats-connection.js';
import { ensureStreams } from './topology.js';

type User = NatsUser;

/**
 * What each service consumes, read from the `@EventPattern(X.anyProject)` handlers in its source: a handler added
 * without its permissions in the config fails here, not in production.
 */
function handledEvents(): Map<User, EventDefinition<unknown>[]> {
  const appsDir = fileURLToPath(new URL('../../../../apps', import.meta.url));
  const handled = new Map<User, EventDefinition<unknown>[]>();
  for (const service of readdirSync(appsDir) as User[]) {
    const sourceDir = join(appsDir, service, 'src');
    const sources = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' }).filter((file) => /(?<!spec)\.ts$/.test(file));
    const names = sources.flatMap((file) =>
      [...readFileSync(join(sourceDir, file), 'utf8').matchAll(/@EventPattern(?:<[^>]*>)?\((\w+)\.anyProject[,)]/g)].map((match) => match[1]!),
    );
    const definitions = names.map((name) => {
      const definition = (contracts as Record<string, unknown>)[name] as EventDefinition<unknown> | undefined;
      if (!definition?.anyProject) throw new Error(`${service} handles ${name}, which is not an event of @ensoras/contracts`);
      return definition;
    });
    if (definitions.length > 0) handled.set(service, definitions);
  }
  return handled;
}

/**
 * nats-server with infra/nats/nats-server.conf, the services' users logging in through connectNats as the services do:
 * each can do its part of the flow and nothing that belongs to another.
 */
describe('NATS permissions of infra/nats/nats-server.conf', () => {
  const connections = new Map<User, NatsConnection>();
  const servers: JetStreamServer[] = [];
  const received = new Map<string, string[]>();
  let locked: LockedNatsServer;
  let nats: NatsTestServer;

  const settings = (user: User) => locked.login(user);
  const as = (user: User) => connections.get(user)!;
  const publisher = (user: User) => new EventPublisher(jetstream(as(user)));
  const seen = (user: User, subject: string) => (received.get(user) ?? []).includes(subject);

  beforeAll(async () => {
    locked = await startLockedNats();
    nats = locked.server;
    for (const user of NATS_USERS) connections.set(user, await connectNats(settings(user), user));
    // Each service sets up the streams and its durable consumers, as JetStreamServer does at every start.
    for (const [user, definitions] of handledEvents()) {
      const server = new JetStreamServer({ connection: as(user), durableName: user, backoffMs: [100] });
      for (const definition of definitions) {
        server.addHandler(definition.anyProject, async (envelope: EventEnvelope) => {
          if (envelope.projectId === 'refused' && !received.get(user)?.includes('refused')) {
            received.set(user, [...(received.get(user) ?? []), 'refused']);
            throw new PermanentEventError('refused on purpose');
          }
          received.set(user, [...(received.get(user) ?? []), `${envelope.type.split('.')[0]}.${envelope.projectId}.${envelope.type.split('.').slice(1).join('.')}`]);
        }, true);
      }
      await new Promise<void>((resolve, reject) => void server.listen((error) => (error ? reject(error) : resolve())));
      servers.push(server);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all([...connections.values()].map((connection) => connection.close()));
    await nats?.stop();
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: nats.url, user: 'ticketing', pass: 'wrong', reconnect: false })).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets every service declare the streams and its consumers, as each does at start', async () => {
    expect([...handledEvents().keys()].sort()).toEqual(['ai-responder', 'channel-config', 'mail-outbound', 'ticketing']);
    await eventually(() => servers.every((server) => server.isConsuming()), { timeoutMs: 10_000 });
    for (const user of ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'] as const) {
      await expect(ensureStreams(await jetstreamManager(as(user))), user).resolves.toBeUndefined();
    }
  });

  it('carries a mail through the services, each publishing and consuming its own events', async () => {
    await publisher('mail-ingest').publish(createEnvelope(MailReceived, 'p1', {} as never));
    await eventually(() => seen('ticketing', 'mail.p1.received'));

    await publisher('ticketing').publish(createEnvelope(TicketCreated, 'p1', {} as never));
    await publisher('ticketing').publish(createEnvelope(TicketMessageCreated, 'p1', {} as never));
    await publisher('ticketing').publish(createEnvelope(TicketUpdated, 'p1', {} as never));
    await eventually(() => seen('ai-responder', 'ticket.p1.message.created') && seen('ai-responder', 'ticket.p1.updated'));

    await publisher('ai-responder').publish(createEnvelope(ReplyProposed, 'p1', {} as never));
    await publisher('ai-responder').publish(createEnvelope(ReplyHandoff, 'p1', {} as never));
    await eventually(() => seen('ticketing', 'reply.p1.proposed') && seen('ticketing', 'reply.p1.handoff'));

    await publisher('ticketing').publish(createEnvelope(MailSendRequested, 'p1', {} as never));
    await eventually(() => seen('mail-outbound', 'mail.p1.send.requested'));

    await publisher('mail-outbound').publish(createEnvelope(MailSent, 'p1', {} as never));
    await publisher('mail-outbound').publish(createEnvelope(MailFailed, 'p1', {} as never));
    await eventually(() => seen('ticketing', 'mail.p1.sent') && seen('ticketing', 'mail.p1.failed'));

    // A login paused on either side is told to channel-config, which announces the resume.
    await publisher('mail-ingest').publish(createEnvelope(ChannelPaused, 'p1', {} as never));
    await eventually(() => seen('channel-config', 'channel.p1.email.paused'));
    await publisher('mail-outbound').publish(createEnvelope(ChannelPaused, 'p2', {} as never));
    await eventually(() => seen('channel-config', 'channel.p2.email.paused'));
    await publisher('channel-config').publish(createEnvelope(ChannelResumed, 'p1', {} as never));

    // Every delivery was acknowledged: nothing waits for redelivery.
    const jsm = await jetstreamManager(as('ops'));
    await eventually(async () => (await jsm.consumers.info('MAIL', 'ticketing__mail_any_received')).num_ack_pending === 0);
    expect((await jsm.consumers.info('TICKETS', 'ai-responder__ticket_any_message_created')).num_ack_pending).toBe(0);
  });

  it('lets no service publish another service’s events', async () => {
    const before = (await (await jetstreamManager(as('ops'))).streams.info('MAIL')).state.messages;
    await expect(publisher('ai-responder').publish(createEnvelope(MailSendRequested, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('mail-outbound').publish(createEnvelope(MailSendRequested, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('mail-ingest').publish(createEnvelope(TicketCreated, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('ai-responder').publish(createEnvelope(TicketCreated, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('ticketing').publish(createEnvelope(ChannelConfigured, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('ticketing').publish(createEnvelope(ChannelPaused, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('mail-ingest').publish(createEnvelope(ChannelResumed, 'p1', {} as never))).rejects.toThrow(/permission/i);
    await expect(publisher('subscriber').publish(createEnvelope(TicketCreated, 'p1', {} as never))).rejects.toThrow(/permission/i);
    expect((await (await jetstreamManager(as('ops'))).streams.info('MAIL')).state.messages).toBe(before);
  });

  it('lets only channel-config write the channel-settings bucket, and every service read it', async () => {
    const snapshot = { projectId: 'p1', revision: 1, enabled: true };
    const written = await new KeyValueBuckets(as('channel-config')).bucket(CHANNEL_SETTINGS_BUCKET);
    await written.put('p1', JSON.stringify(snapshot));

    for (const user of ['ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'] as const) {
      const buckets = new KeyValueBuckets(as(user));
      const replica = new ChannelSettingsReplica(buckets);
      await replica.whenReady();
      expect(replica.get('p1')?.revision, user).toBe(1);
      replica.onApplicationShutdown();

      const bucket = await buckets.bucket(CHANNEL_SETTINGS_BUCKET);
      await expect(bucket.put('p1', JSON.stringify({ ...snapshot, revision: 2 })), user).rejects.toThrow(/permission/i);
      await expect(bucket.delete('p1'), user).rejects.toThrow(/permission/i);
    }
    expect((await written.get('p1'))?.json<{ revision: number }>().revision).toBe(1);
  });

  it('lets only channel-config write the api-tokens bucket, and every service watch it', async () => {
    const record = { id: 'token-1', name: 'helpdesk', projects: ['p1'], scopes: ['inbox:read'] };
    const written = await new KeyValueBuckets(as('channel-config')).bucket(API_TOKENS_BUCKET);
    await written.put(apiTokenKey('ens_secret'), JSON.stringify(record));
    // channel-config lists the keys when it reconciles the bucket with its table.
    const keys: string[] = [];
    for await (const key of await written.keys()) keys.push(key);
    expect(keys).toEqual([apiTokenKey('ens_secret')]);

    for (const user of ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest', 'mail-outbound'] as const) {
      const buckets = new KeyValueBuckets(as(user));
      const replica = new ApiTokenReplica(buckets);
      await replica.whenReady();
      expect(replica.find('ens_secret'), user).toEqual(record);
      replica.onApplicationShutdown();
      if (user === 'channel-config') continue;
      const bucket = await buckets.bucket(API_TOKENS_BUCKET);
      await expect(bucket.put(apiTokenKey('ens_forged'), JSON.stringify({ ...record, projects: '*' })), user).rejects.toThrow(/permission/i);
      await expect(bucket.delete(apiTokenKey('ens_secret')), user).rejects.toThrow(/permission/i);
    }
    await written.delete(apiTokenKey('ens_secret'));
  });

  it('lets only channel-config write the OAuth access tokens, mail-ingest and mail-outbound read them, and no one else', async () => {
    const entry = { projectId: 'p1', direction: 'imap', provider: 'google', revoked: 'revoked', revokedAt: new Date(0).toISOString(), version: 1 };
    const written = await new KeyValueBuckets(as('channel-config')).bucket(OAUTH_ACCESS_TOKEN_BUCKET);
    await written.put('p1.imap', JSON.stringify(entry));
    for (const user of ['mail-ingest', 'mail-outbound'] as const) {
      const buckets = new KeyValueBuckets(as(user));
      const replica = new OAuthAccessTokenReplica(buckets);
      await replica.whenReady();
      expect(replica.get('p1', 'imap')?.version, user).toBe(1);
      replica.onApplicationShutdown();
      await expect((await buckets.bucket(OAUTH_ACCESS_TOKEN_BUCKET)).put('p1.imap', JSON.stringify({ ...entry, version: 2 })), user).rejects.toThrow(/permission/i);
    }
    for (const user of ['ticketing', 'ai-responder'] as const) {
      await expect(new KeyValueBuckets(as(user)).bucket(OAUTH_ACCESS_TOKEN_BUCKET), user).rejects.toThrow(/permission/i);
    }
  });

  it('keeps the mailbox leases to mail-ingest', async () => {
    const leases = await new KeyValueBuckets(as('mail-ingest')).bucket(MAILBOX_LEASE_BUCKET, { ttlMs: 60_000 });
    await leases.put('p1', 'replica-1');
    expect((await leases.get('p1'))?.string()).toBe('replica-1');
    await expect(new KeyValueBuckets(as('ticketing')).bucket(MAILBOX_LEASE_BUCKET), 'ticketing').rejects.toThrow(/permission/i);
  });

  it('lets mail-ingest write the mailbox status, channel-config and mail-outbound only read it', async () => {
    const written = await new KeyValueBuckets(as('mail-ingest')).bucket(MAILBOX_STATUS_BUCKET);
    await written.put('p1', JSON.stringify({ projectId: 'p1', state: 'watching' }));
    for (const user of ['channel-config', 'mail-outbound'] as const) {
      const read = await new KeyValueBuckets(as(user)).bucket(MAILBOX_STATUS_BUCKET);
      expect((await read.get('p1'))?.json<{ state: string }>().state, user).toBe('watching');
      await expect(read.put('p1', JSON.stringify({ projectId: 'p1', state: 'failing' })), user).rejects.toThrow(/permission/i);
    }
    await expect(new KeyValueBuckets(as('ticketing')).bucket(MAILBOX_STATUS_BUCKET), 'ticketing').rejects.toThrow(/permission/i);
  });

  it('lets a service dead-letter, list and replay its own events', async () => {
    await publisher('mail-ingest').publish(createEnvelope(MailReceived, 'refused', {} as never));
    const [letter] = await eventually(async () => {
      const letters = await listDeadLetters(as('ticketing'), 'ticketing');
      return letters.length > 0 ? letters : null;
    }, { timeoutMs: 10_000 });
    expect(letter).toMatchObject({ subject: 'mail.refused.received', reason: 'refused on purpose' });
    // The ops user (npm run deadletters) sees the same.
    expect(await listDeadLetters(as('ops'), 'ticketing')).toEqual([letter]);

    await replayDeadLetters(as('ticketing'), 'ticketing', letter!.seq);
    await eventually(() => seen('ticketing', 'mail.refused.received'));
    expect(await listDeadLetters(as('ticketing'), 'ticketing')).toEqual([]);
  });

  it('lets mail-ingest write raw mail and ticketing read it, and nobody else', async () => {
    const raw = new TextEncoder().encode('Subject: hello\r\n\r\nraw mail\r\n');
    const store = await new KeyValueBuckets(as('mail-ingest')).objectStore(RAW_MAIL_OBJECT_STORE);
    await store.putBlob({ name: 'p1/1/1' }, raw);

    const read = await new KeyValueBuckets(as('ticketing')).objectStore(RAW_MAIL_OBJECT_STORE);
    expect(new TextDecoder().decode((await read.getBlob('p1/1/1'))!)).toContain('raw mail');
    await expect(read.putBlob({ name: 'p1/1/2' }, raw)).rejects.toThrow(/permission/i);

    for (const user of ['mail-outbound', 'ai-responder', 'subscriber'] as const) {
      await expect(new KeyValueBuckets(as(user)).objectStore(RAW_MAIL_OBJECT_STORE), user).rejects.toThrow(/permission/i);
    }
  });

  it('keeps each user to its own inbox, so no one reads another’s deliveries', async () => {
    for (const user of ['mail-outbound', 'ai-responder', 'subscriber'] as const) {
      for (const subject of ['_INBOX.>', '_INBOX.ticketing.>', 'mail.>', '$O.raw-mail.>']) {
        const subscription = as(user).subscribe(subject);
        const closed = await subscription.closed;
        expect(String(closed), `${user} ${subject}`).toMatch(/permission/i);
      }
    }
  });

  it('keeps a service out of the consumers and streams of others', async () => {
    const jsm = await jetstreamManager(as('mail-outbound'));
    // A consumer of its own name but another filter (mail.*.received: the customers' mail) is refused.
    await expect(
      jsm.consumers.add('MAIL', { durable_name: 'mail-outbound__mail_any_send_requested', filter_subject: 'mail.*.received', ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow(/permission/i);
    await expect(jsm.consumers.info('MAIL', 'ticketing__mail_any_received')).rejects.toThrow(/permission/i);
    await expect(jsm.streams.purge('MAIL')).rejects.toThrow(/permission/i);
    await expect(jsm.streams.delete('TICKETS')).rejects.toThrow(/permission/i);
    await expect(jsm.streams.getMessage('MAIL', { seq: 1 })).rejects.toThrow(/permission/i);
  });

  it('lets the subscriber example read ticket events through its own consumer, and nothing else', async () => {
    const jsm = await jetstreamManager(as('subscriber'));
    await jsm.consumers.add('TICKETS', { durable_name: 'subscriber', filter_subject: 'ticket.>', ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(as('subscriber')).consumers.get('TICKETS', 'subscriber');
    const message = await consumer.next({ expires: 2_000 });
    expect(message?.subject).toMatch(/^ticket\.p1\./);
    message?.ack();
    await expect(jsm.consumers.add('MAIL', { durable_name: 'subscriber', filter_subject: 'mail.>', ack_policy: AckPolicy.Explicit })).rejects.toThrow(
      /permission/i,
    );
  });
});
