/**
 * What the newer ticketing integration specs share: a private nats-server, a fresh PostgreSQL database, the
 * channel-settings bucket as channel-config would fill it, the app booted in-process as main.ts does, and helpers
 * that publish and read events and call the API as a user would. Not part of the build (tsconfig.build.json).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DeliverPolicy, jetstream, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  CHANNEL_SETTINGS_BUCKET,
  createEnvelope,
  MailReceived,
  ReplyProposed,
  type ChannelSettingsSnapshot,
  type EventDefinition,
  type EventEnvelope,
  type MailAddress,
  type MailReceivedPayload,
  type TicketDetailView,
  type TicketMessageView,
  type TicketPage,
} from '@ensoras/contracts';
import { BACKLOG_HEADER } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { TicketingEnvironment } from '../config/ticketing.environment.js';

export const ADMIN_TOKEN = 'ticketing-harness-admin-token';
export const SUPPORT: MailAddress = { address: 'support@acme.example', name: 'Acme Support' };
export const ANNA: MailAddress = { address: 'anna@customer.example', name: 'Anna Example' };
/** More customers, for specs that need several tickets at once. */
export const BOB: MailAddress = { address: 'bob@other.example', name: 'Bob Other' };
export const CAROL: MailAddress = { address: 'carol@third.example', name: 'Carol Third' };
export const DAVE: MailAddress = { address: 'dave@fourth.example', name: 'Dave Fourth' };

export interface StoredEvent<T> {
  subject: string;
  envelope: EventEnvelope<T>;
  /** Size of the payload as published. */
  bytes: number;
  /** Published with the backlog header (a mailbox's history, or caused by it). */
  backlog: boolean;
}

export class TicketingHarness {
  nats!: NatsTestServer;
  database!: TestDatabase;
  client!: NatsConnection;
  js!: JetStreamClient;
  app!: INestApplication;
  baseUrl!: string;
  private dataDir!: string;
  private uid = 0;

  /** Starts the servers, stores the projects' channel settings, then boots ticketing. */
  async setUp(projects: Array<{ projectId: string; settings?: Partial<ChannelSettingsSnapshot> }>): Promise<void> {
    [this.nats, this.database, this.dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'ticketing-'))]);
    this.client = await connect({ servers: this.nats.url });
    this.js = jetstream(this.client);
    const bucket = await new Kvm(this.client).create(CHANNEL_SETTINGS_BUCKET, { storage: StorageType.File, history: 1 });
    for (const { projectId, settings } of projects) await bucket.put(projectId, JSON.stringify(channelSettings(projectId, settings)));
    const environment = Object.assign(new TicketingEnvironment(), {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.database.url,
      DATA_DIR: this.dataDir,
      PORT: 0,
      ADMIN_TOKEN,
    });
    this.app = await startService({ name: 'ticketing', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'ticketing' });
    this.baseUrl = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  async tearDown(): Promise<void> {
    await this.app?.close();
    await this.client?.close();
    await this.nats?.stop();
    await this.database?.drop();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  async publish<T>(definition: EventDefinition<T>, projectId: string, payload: T): Promise<EventEnvelope<T>> {
    const envelope = createEnvelope(definition, projectId, payload);
    await this.js.publish(definition.subject(projectId), JSON.stringify(envelope), { msgID: envelope.id });
    return envelope;
  }

  /** Publishes any JSON on a subject, for events no well-behaved publisher would build. */
  async publishRaw(subject: string, body: unknown): Promise<void> {
    await this.js.publish(subject, JSON.stringify(body));
  }

  /** Publishes mail.received as mail-ingest would; returns the payload. */
  async deliver(projectId: string, overrides: Partial<MailReceivedPayload>): Promise<MailReceivedPayload> {
    this.uid++;
    const payload = mailReceivedPayload(projectId, this.uid, { from: ANNA, ...overrides });
    await this.publish(MailReceived, projectId, payload);
    return payload;
  }

  /**
   * Resolves once every mail.received published before it has been handled: ticketing's consumer of received mail
   * takes one message at a time, so a marker mail that became a ticket comes after all of them.
   */
  async mailSettled(): Promise<void> {
    const marker = await this.deliver('p-marker', { subject: `marker ${randomUUID()}` });
    await this.ticketWith('p-marker', marker.messageId);
  }

  api(path: string, init: RequestInit = {}, token: string | null = ADMIN_TOKEN): Promise<Response> {
    return fetch(this.baseUrl + path, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...init.headers },
    });
  }

  async json<T>(path: string): Promise<T> {
    const response = await this.api(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  ticketDetail(projectId: string, ticketId: string): Promise<TicketDetailView> {
    return this.json<TicketDetailView>(`/v1/projects/${projectId}/tickets/${ticketId}`);
  }

  async allTickets(projectId: string): Promise<TicketDetailView[]> {
    const page = await this.json<TicketPage>(`/v1/projects/${projectId}/tickets?limit=100`);
    return Promise.all(page.items.map((ticket) => this.ticketDetail(projectId, ticket.id)));
  }

  /** The ticket holding the message with this Message-ID, once it is there. */
  ticketWith(projectId: string, messageId: string): Promise<TicketDetailView> {
    return eventually(async () => (await this.allTickets(projectId)).find((t) => t.messages.some((m) => m.messageId === messageId)), {
      message: `no ticket in ${projectId} holds ${messageId}`,
    });
  }

  /** Proposes an AI reply to the ticket's latest customer message and waits until it is recorded. */
  async proposeAndWait(projectId: string, ticketId: string, text: string): Promise<TicketMessageView> {
    await this.publish(ReplyProposed, projectId, { responseId: randomUUID(), ticketId, answersMessageIds: [], text, html: null, author: 'ai' });
    return eventually(async () => (await this.ticketDetail(projectId, ticketId)).messages.find((m) => m.direction === 'outbound' && m.text === text), {
      message: `reply "${text}" was not recorded`,
    });
  }

  /** Everything on the stream matching the filter so far, read with an ordered (ephemeral) consumer. */
  async readAll<T>(stream: string, filter: string): Promise<Array<StoredEvent<T>>> {
    const consumer = await this.js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.All });
    const seen: Array<StoredEvent<T>> = [];
    for (;;) {
      const message = await consumer.next({ expires: 1_000 });
      if (!message) return seen;
      seen.push({ subject: message.subject, envelope: message.json<EventEnvelope<T>>(), bytes: message.data.length, backlog: !!message.headers?.get(BACKLOG_HEADER) });
      if (message.info.pending === 0) return seen;
    }
  }
}

export function channelSettings(projectId: string, overrides: Partial<ChannelSettingsSnapshot> = {}): ChannelSettingsSnapshot {
  return {
    projectId,
    enabled: true,
    revision: 1,
    updatedAt: new Date().toISOString(),
    communicationStyle: '',
    imap: null,
    smtp: null,
    identity: { fromEmail: SUPPORT.address, fromName: SUPPORT.name, signatureHtml: '<p>Acme</p>' },
    guidelines: '',
    responseDelay: { minSeconds: 0, maxSeconds: 0 },
    ...overrides,
  };
}

/** A mail.received payload as mail-ingest would publish it for the uid-th mail of a mailbox. */
export function mailReceivedPayload(projectId: string, uid: number, overrides: Partial<MailReceivedPayload>): MailReceivedPayload {
  return {
    source: { mailbox: 'INBOX', uidValidity: '1', uid },
    rawObjectKey: `${projectId}/1/${uid}`,
    size: 512,
    messageId: `<${randomUUID()}@customer.example>`,
    messageIdGenerated: false,
    inReplyTo: null,
    references: [],
    subject: 'Hello',
    from: ANNA,
    to: [SUPPORT],
    cc: [],
    replyTo: [],
    date: new Date().toISOString(),
    headers: {},
    text: 'Hello there',
    newText: overrides.text ?? 'Hello there',
    html: null,
    truncated: false,
    oversized: false,
    attachments: [],
    classification: { kind: 'normal', reasons: [] },
    bounce: null,
    ...overrides,
  };
}
