/**
 * What mail-outbound's integration specs share: a private nats-server, a fresh PostgreSQL database, the app booted
 * in-process as main.ts does, and what the rest of the system would do: write channel settings into the KV bucket
 * with their passwords sealed (as channel-config), request sends (as ticketing), and hear every mail.sent,
 * mail.failed and channel.email.paused published. The mail servers are each spec's own. Not part of the build
 * (tsconfig.build.json).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import {
  CHANNEL_SETTINGS_BUCKET,
  ChannelPaused,
  createEnvelope,
  MailFailed,
  MailSendRequested,
  MailSent,
  type ChannelSettingsSnapshot,
  type EventDefinition,
  type EventEnvelope,
  type ImapEncryption,
  type MailAuth,
  type MailSendRequestedPayload,
  type SmtpEncryption,
} from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { channelPasswordContext, decodeKey, SecretBox } from '@ensoras/secrets';
import { createTestDatabase, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';

export const SMTP_USER = { username: 'support@shop.example', password: 'correct horse battery staple' };

/** A mail server as a channel names it, with the password in clear (sealed when written) or an OAuth2 `auth`. */
export interface MailServerLogin<Encryption> {
  host: string;
  port: number;
  encryption: Encryption;
  username: string;
  password?: string;
  auth?: MailAuth;
}

/** The delivery row of a send, as the specs look at it. */
export interface DeliveryRow {
  status: string;
  attempts: number;
  failure_code: string | null;
  last_error: string | null;
  handed_over_at: Date | null;
  sent_at: Date | null;
  sent_copy: string | null;
  sent_copy_raw: Buffer | null;
  sent_copy_attempts: number;
  sent_copy_detail: string | null;
  sent_copy_next_at: Date | null;
}

export class OutboundHarness {
  readonly secretsKey = randomBytes(32).toString('base64');
  readonly box = new SecretBox(decodeKey(this.secretsKey));
  readonly buckets: KeyValueBuckets;
  app!: INestApplication;
  url!: string;
  /** Every publish heard, repeats JetStream de-duplicates in the stream included. */
  private readonly published: EventEnvelope[] = [];
  private readonly subscriptions: Subscription[];

  private constructor(
    readonly nats: NatsTestServer,
    readonly database: TestDatabase,
    readonly dataDir: string,
    readonly nc: NatsConnection,
    readonly db: pg.Client,
  ) {
    this.buckets = new KeyValueBuckets(nc);
    this.subscriptions = [MailSent, MailFailed, ChannelPaused].map((definition) => {
      const subscription = nc.subscribe(definition.anyProject);
      void (async () => {
        for await (const message of subscription) this.published.push(message.json());
      })();
      return subscription;
    });
  }

  /** Starts the servers and listens for events; the app comes with startApp(), once the channels are written. */
  static async start(): Promise<OutboundHarness> {
    const [nats, database, dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'mail-outbound-'))]);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    return new OutboundHarness(nats, database, dataDir, await connect({ servers: nats.url }), db);
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.db.end();
    await this.app?.close();
    await this.nc.close();
    await Promise.allSettled([this.nats.stop(), this.database.drop()]);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Boots mail-outbound in-process, as production would (HTTP + JetStream transport); again after stopApp(). */
  async startApp(): Promise<void> {
    const environment = Object.assign(new MailOutboundEnvironment(), {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.database.url,
      DATA_DIR: this.dataDir,
      PORT: 0,
      SECRETS_KEY: this.secretsKey,
    });
    this.app = await startService({ name: 'mail-outbound', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'mail-outbound' });
    this.url = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  stopApp(): Promise<void> {
    return this.app.close();
  }

  /**
   * A channel's settings as channel-config writes them: revision 1, the passwords sealed for their server, the
   * certificates not checked (the test servers' are self-signed); `extra` on top.
   */
  channel(
    projectId: string,
    servers: { smtp: MailServerLogin<SmtpEncryption>; imap?: MailServerLogin<ImapEncryption> },
    extra: Partial<ChannelSettingsSnapshot> = {},
  ): ChannelSettingsSnapshot {
    const seal = <T extends MailServerLogin<string>>(section: 'imap' | 'smtp', { password, ...server }: T) =>
      password === undefined ? server : { ...server, password: this.box.seal(password, channelPasswordContext(projectId, section, server)) };
    return {
      projectId,
      enabled: true,
      revision: 1,
      updatedAt: new Date().toISOString(),
      communicationStyle: '',
      imap: servers.imap ? { ...seal('imap', servers.imap), validateCertificate: false, markAsRead: false } : null,
      smtp: { ...seal('smtp', servers.smtp), validateCertificate: false },
      identity: { fromEmail: 'support@shop.example', fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
      ...extra,
    };
  }

  async putChannel(snapshot: ChannelSettingsSnapshot): Promise<void> {
    await (await this.buckets.bucket(CHANNEL_SETTINGS_BUCKET)).put(snapshot.projectId, JSON.stringify(snapshot));
  }

  /** A mail.send.requested as ticketing would publish it: a reply to Anna, late in a thread; `payload` on top. */
  sendRequest(projectId: string, payload: Partial<MailSendRequestedPayload> = {}): EventEnvelope<MailSendRequestedPayload> {
    return createEnvelope(MailSendRequested, projectId, {
      outboundMessageId: randomUUID(),
      ticketId: randomUUID(),
      from: { address: 'support@shop.example', name: 'Shop Support' },
      to: [{ address: 'anna@customer.example', name: 'Anna Example' }],
      cc: [],
      subject: 'Re: Re: Where is my order?',
      messageId: `<${randomUUID()}@shop.example>`,
      inReplyTo: '<q-2@customer.example>',
      references: ['<q-1@customer.example>', '<a-1@shop.example>', '<q-2@customer.example>'],
      text: 'Hello Anna,\n\nyour order ships today.',
      html: null,
      ...payload,
    });
  }

  /** Publishes the request on the MAIL stream, its event id as the de-duplication id. */
  async requestSend(request: EventEnvelope<MailSendRequestedPayload>): Promise<void> {
    await jetstream(this.nc).publish(MailSendRequested.subject(request.projectId), JSON.stringify(request), { msgID: request.id });
  }

  /** The events of a kind heard so far, repeats included; with an outboundMessageId, only that send's. */
  eventsOf<T>(definition: EventDefinition<T>, outboundMessageId?: string): EventEnvelope<T>[] {
    return this.published.filter(
      (event) => event.type === definition.type && (outboundMessageId === undefined || (event.payload as { outboundMessageId?: string }).outboundMessageId === outboundMessageId),
    ) as EventEnvelope<T>[];
  }

  async deliveryRow(outboundMessageId: string): Promise<DeliveryRow | undefined> {
    return (await this.db.query('SELECT * FROM mail_outbound.delivery WHERE outbound_message_id = $1', [outboundMessageId])).rows[0];
  }
}
