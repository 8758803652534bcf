/**
 * What the ai-responder integration specs share: a private nats-server, a fresh PostgreSQL database, the
 * channel-settings bucket as channel-config would fill it, and the app booted in-process the way main.ts does.
 * Not part of the build (tsconfig.build.json excludes src/test-support).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  CHANNEL_SETTINGS_BUCKET,
  createEnvelope,
  ReplyHandoff,
  ReplyProposed,
  STREAMS,
  TicketMessageCreated,
  TicketUpdated,
  type ChannelSettingsSnapshot,
  type EventEnvelope,
  type MailAddress,
  type ReplyHandoffPayload,
  type ReplyProposedPayload,
  type TicketMessageCreatedPayload,
  type TicketMessageView,
  type TicketStatus,
  type TicketUpdatedPayload,
} from '@ensoras/contracts';
import { consumerName } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { AiResponderEnvironment } from '../config/ai-responder.environment.js';

export const ADMIN = 'admin-token-for-ai-responder-tests';
export const JANE: MailAddress = { address: 'jane@example.com', name: 'Jane Doe' };
export const SUPPORT: MailAddress = { address: 'support@acme.test', name: 'ACME Support' };

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

export class ResponderHarness {
  nats!: NatsTestServer;
  database!: TestDatabase;
  client!: NatsConnection;
  private settings!: KV;
  private dataDir!: string;
  private readonly revisions = new Map<string, number>();

  async setUp(): Promise<void> {
    [this.nats, this.database, this.dataDir] = await Promise.all([
      startNats(),
      createTestDatabase(),
      mkdtemp(join(tmpdir(), 'ai-responder-')),
    ]);
    this.client = await connect({ servers: this.nats.url });
    // The same bucket options channel-config's side uses, so whoever comes first creates it identically.
    this.settings = await new Kvm(this.client).create(CHANNEL_SETTINGS_BUCKET, { storage: StorageType.File, history: 1 });
  }

  async tearDown(): Promise<void> {
    await this.client?.close();
    await Promise.allSettled([this.nats?.stop(), this.database?.drop()]);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Boots the service as main.ts does, on a free port. */
  async start(overrides: Partial<AiResponderEnvironment> = {}): Promise<RunningApp> {
    const environment = Object.assign(new AiResponderEnvironment(), {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.database.url,
      DATA_DIR: this.dataDir,
      PORT: 0,
      ...overrides,
    });
    const app = await startService({ name: 'ai-responder', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'ai-responder' });
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('[::]', '127.0.0.1');
    return { app, url, close: () => app.close() };
  }

  /** Writes a project's channel settings into the bucket, as channel-config does on every change. */
  async putSettings(projectId: string, overrides: Partial<ChannelSettingsSnapshot> = {}): Promise<ChannelSettingsSnapshot> {
    const revision = (this.revisions.get(projectId) ?? 0) + 1;
    this.revisions.set(projectId, revision);
    const snapshot: ChannelSettingsSnapshot = {
      projectId,
      enabled: true,
      revision,
      updatedAt: new Date().toISOString(),
      communicationStyle: 'Friendly, brief and concrete.',
      imap: {
        host: 'imap.acme.test', port: 993, encryption: 'ssl', username: 'inbox@acme.test',
        validateCertificate: true, markAsRead: false, password: { sealed: 'not-opened-by-this-service' },
      },
      smtp: { host: 'smtp.acme.test', port: 587, encryption: 'tls', username: 'inbox@acme.test', validateCertificate: true, password: { sealed: 'not-opened-by-this-service' } },
      identity: { fromEmail: SUPPORT.address, fromName: SUPPORT.name, signatureHtml: '<p>ACME</p>' },
      guidelines: 'Use a professional email tone with proper greeting and sign-off.',
      responseDelay: { minSeconds: 0, maxSeconds: 1 },
      ...overrides,
    };
    await this.settings.put(projectId, JSON.stringify(snapshot));
    return snapshot;
  }

  /** Publishes ticket.message.created as ticketing would; returns the envelope. */
  async publish(envelope: EventEnvelope<TicketMessageCreatedPayload>): Promise<EventEnvelope<TicketMessageCreatedPayload>> {
    await jetstream(this.client).publish(TicketMessageCreated.subject(envelope.projectId), JSON.stringify(envelope), { msgID: envelope.id });
    return envelope;
  }

  /** Every reply.proposed of the project stored in the REPLIES stream, in order. */
  proposedReplies(projectId: string): Promise<EventEnvelope<ReplyProposedPayload>[]> {
    return this.storedReplyEvents<ReplyProposedPayload>(ReplyProposed.subject(projectId));
  }

  /** Every reply.handoff of the project stored in the REPLIES stream, in order. */
  handoffs(projectId: string): Promise<EventEnvelope<ReplyHandoffPayload>[]> {
    return this.storedReplyEvents<ReplyHandoffPayload>(ReplyHandoff.subject(projectId));
  }

  /** Publishes ticket.updated as ticketing would, for a ticket whose status changed. */
  async publishTicketStatus(projectId: string, ticketId: string, status: TicketStatus): Promise<void> {
    const now = new Date().toISOString();
    const envelope = createEnvelope(TicketUpdated, projectId, {
      ticket: { id: ticketId, projectId, subject: 'Order 4711 missing', status, customer: JANE, messageCount: 1, createdAt: now, updatedAt: now },
      changes: ['status'],
    } satisfies TicketUpdatedPayload);
    await jetstream(this.client).publish(TicketUpdated.subject(projectId), JSON.stringify(envelope), { msgID: envelope.id });
  }

  /** Resolves once the service's consumer of ticket.updated has handled everything published to it so far. */
  async ticketUpdatesHandled(): Promise<void> {
    const jsm = await jetstreamManager(this.client);
    await eventually(
      async () => {
        // The server counts a stored message as pending at once, so nothing pending or unacknowledged means handled.
        const info = await jsm.consumers.info(STREAMS.ticket, consumerName('ai-responder', TicketUpdated.anyProject));
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 10_000, message: 'ticket.updated was not handled' },
    );
  }

  private async storedReplyEvents<T>(subject: string): Promise<EventEnvelope<T>[]> {
    const jsm = await jetstreamManager(this.client);
    const info = await jsm.streams.info(STREAMS.reply).catch(() => null);
    if (!info || info.state.messages === 0) return [];
    const events: EventEnvelope<T>[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(STREAMS.reply, { seq }).catch(() => null);
      if (stored?.subject === subject) events.push(stored.json<EventEnvelope<T>>());
    }
    return events;
  }
}

/** A ticket.message.created envelope with a realistic customer message; overrides shape the rest. */
export function ticketMessage(
  projectId: string,
  ticketId: string,
  overrides: Partial<TicketMessageView> & { ticketSubject?: string; ticketStatus?: TicketStatus; customer?: MailAddress } = {},
): EventEnvelope<TicketMessageCreatedPayload> {
  const { ticketSubject = 'Order 4711 missing', ticketStatus = 'open', customer = JANE, ...messageOverrides } = overrides;
  const now = new Date().toISOString();
  const message: TicketMessageView = {
    id: randomUUID(),
    ticketId,
    direction: 'inbound',
    author: 'customer',
    from: JANE,
    to: [SUPPORT],
    cc: [],
    subject: ticketSubject,
    text: 'Hi,\n\nmy order 4711 has not arrived yet.\nCould you check?\n\nJane',
    newText: messageOverrides.text ?? 'Hi,\n\nmy order 4711 has not arrived yet.\nCould you check?\n\nJane',
    html: null,
    attachments: [],
    note: null,
    messageId: `<${randomUUID()}@example.com>`,
    inReplyTo: null,
    references: [],
    deliveryStatus: 'received',
    deliveryNote: null,
    kind: 'normal',
    kindReasons: [],
    date: now,
    createdAt: now,
    ...messageOverrides,
  };
  return createEnvelope(TicketMessageCreated, projectId, {
    ticket: {
      id: ticketId,
      projectId,
      subject: ticketSubject,
      status: ticketStatus,
      customer,
      messageCount: 1,
      createdAt: now,
      updatedAt: now,
    },
    message,
  });
}

/** GET with the admin token (or another header). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: each test reads the JSON shape it expects
export async function getJson(url: string, token: string | null = ADMIN): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
