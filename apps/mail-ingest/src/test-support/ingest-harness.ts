/**
 * Real servers for mail-ingest's integration tests: a private nats-server, a Dovecot with one user per test
 * mailbox, a fresh PostgreSQL database; plus what a user of the service would do: write channel settings into the
 * KV bucket, deliver mail, read mail.received events from the MAIL stream, look at /health and /metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import {
  CHANNEL_SETTINGS_BUCKET,
  MAILBOX_LEASE_BUCKET,
  MAILBOX_STATUS_BUCKET,
  OAUTH_ACCESS_TOKEN_BUCKET,
  RAW_MAIL_OBJECT_STORE,
  type OAuthAccessTokenEntry,
  type OAuthProvider,
  type ChannelSafety,
  type ChannelSettingsSnapshot,
  type EventEnvelope,
  type MailboxStatusRecord,
  type MailReceivedPayload,
} from '@ensoras/contracts';
import { BACKLOG_HEADER, ensureStreams, KeyValueBuckets } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { channelAccessTokenContext, channelPasswordContext, SecretBox } from '@ensoras/secrets';
import {
  createTestDatabase,
  startDovecot,
  startNats,
  type DovecotServer,
  type MailUser,
  type NatsTestServer,
  type TestDatabase,
} from '@ensoras/testing';
import { jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { connect as connectNats, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { AppModule } from '../app.module.js';
import { MailIngestEnvironment } from '../config/mail-ingest.environment.js';
import type { MailboxStatus } from '../mailboxes/mailbox-watcher.js';
import { buildMailPackage } from './mail-worker-build.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_POLL_INTERVAL_MS = 500;

export interface ReceivedEvent {
  envelope: EventEnvelope<MailReceivedPayload>;
  subject: string;
  /** Published for the consumers' backlog lanes: a mailbox's history. */
  backlog: boolean;
  receivedAt: number;
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  health(): Promise<{ status: number; body: HealthBody }>;
  /** The admin listing of the watched mailboxes (`GET /v1/mailboxes` with the token). */
  mailboxes(): Promise<MailboxesBody>;
  mailbox(projectId: string): Promise<MailboxStatus | undefined>;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface HealthBody {
  status: string;
  details: Record<string, { status: string }>;
}

export interface MailboxesBody {
  replicaId: string;
  watched: number;
  failing: number;
  mailboxes: MailboxStatus[];
}

export class IngestHarness {
  readonly secretsKey = randomBytes(32).toString('base64');
  readonly box = new SecretBox(Buffer.from(this.secretsKey, 'base64'));
  readonly events: ReceivedEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private readonly apps = new Set<RunningApp>();
  private consumer: ConsumerMessages | undefined;
  private buckets!: KeyValueBuckets;

  private constructor(
    readonly nats: NatsTestServer,
    readonly dovecot: DovecotServer,
    readonly database: TestDatabase,
    readonly nc: NatsConnection,
    readonly dataDir: string,
  ) {}

  /** `oauth2IntrospectionUrl`: Dovecot also takes XOAUTH2, checking tokens there (startOAuthProvider). */
  static async start(users: MailUser[], options: { oauth2IntrospectionUrl?: string } = {}): Promise<IngestHarness> {
    const [nats, dovecot, database, dataDir] = await Promise.all([
      buildMailPackage().then(() => startNats()),
      startDovecot({ users, ...options }),
      createTestDatabase(),
      mkdtemp(join(tmpdir(), 'mail-ingest-test-')),
    ]);
    const nc = await connectNats({ servers: nats.url, name: 'mail-ingest-test' });
    const harness = new IngestHarness(nats, dovecot, database, nc, dataDir);
    harness.buckets = new KeyValueBuckets(nc);
    // The streams exist before any app runs, so the test consumer can start first and miss nothing.
    await ensureStreams(await jetstreamManager(nc));
    await harness.collectMailReceived();
    return harness;
  }

  async stop(): Promise<void> {
    for (const app of [...this.apps]) await app.close().catch(() => undefined);
    await this.consumer?.close();
    await this.nc.close();
    await Promise.allSettled([this.nats.stop(), this.dovecot.stop(), this.database.drop()]);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Boots mail-ingest in-process, as production would (HTTP + JetStream transport). */
  async startApp(overrides: Partial<MailIngestEnvironment> = {}): Promise<RunningApp> {
    const environment = Object.assign(new MailIngestEnvironment(), {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.database.url,
      DATA_DIR: this.dataDir,
      PORT: 0,
      SECRETS_KEY: this.secretsKey,
      ADMIN_TOKEN,
      POLL_INTERVAL_MS: TEST_POLL_INTERVAL_MS,
      ...overrides,
    });
    const app = await startService({ name: 'mail-ingest', module: AppModule.forRoot(environment), port: 0, host: '127.0.0.1', durableName: 'mail-ingest' });
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    let closed: Promise<void> | undefined;
    const running: RunningApp = {
      app,
      url,
      async health() {
        const response = await fetch(`${url}/health`);
        return { status: response.status, body: (await response.json()) as HealthBody };
      },
      async mailboxes() {
        const response = await fetch(`${url}/v1/mailboxes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        if (!response.ok) throw new Error(`GET /v1/mailboxes answered ${response.status}`);
        return (await response.json()) as MailboxesBody;
      },
      async mailbox(projectId) {
        return (await running.mailboxes()).mailboxes.find((mailbox) => mailbox.projectId === projectId);
      },
      async metrics() {
        return (await fetch(`${url}/metrics`)).text();
      },
      close: () => {
        closed ??= (async () => {
          this.apps.delete(running);
          await app.close();
        })();
        return closed;
      },
    };
    this.apps.add(running);
    return running;
  }

  /** Writes the channel settings as channel-config would: a new revision each time, the password sealed. */
  async putChannel(
    projectId: string,
    user: MailUser,
    options: {
      enabled?: boolean;
      markAsRead?: boolean;
      encryption?: 'tcp' | 'ssl';
      port?: number;
      password?: string;
      safety?: ChannelSafety;
      /** import.since; left out, the snapshot has no import setting (as one written before it existed). */
      importSince?: string | null;
      /** When the settings were saved (the channel enabled); now by default. */
      updatedAt?: Date;
    } = {},
  ): Promise<ChannelSettingsSnapshot> {
    const revision = (this.revisions.get(projectId) ?? 0) + 1;
    this.revisions.set(projectId, revision);
    const encryption = options.encryption ?? 'tcp';
    const host = this.dovecot.host;
    const port = options.port ?? (encryption === 'ssl' ? this.dovecot.imapsPort : this.dovecot.imapPort);
    const sealingContext = channelPasswordContext(projectId, 'imap', { host, port, encryption, username: user.username });
    const snapshot: ChannelSettingsSnapshot = {
      projectId,
      enabled: options.enabled ?? true,
      revision,
      updatedAt: (options.updatedAt ?? new Date()).toISOString(),
      communicationStyle: '',
      imap: {
        host,
        port,
        encryption,
        username: user.username,
        password: this.box.seal(options.password ?? user.password, sealingContext),
        validateCertificate: false,
        markAsRead: options.markAsRead ?? false,
      },
      smtp: null,
      identity: { fromEmail: `support-${projectId}@shop.test`, fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
      ...(options.safety ? { safety: options.safety } : {}),
      ...(options.importSince !== undefined ? { import: { since: options.importSince } } : {}),
    };
    const bucket = await this.buckets.bucket(CHANNEL_SETTINGS_BUCKET);
    await bucket.put(projectId, JSON.stringify(snapshot));
    return snapshot;
  }

  /**
   * Writes a channel whose IMAP logs in with OAuth2 (`imap.auth` oauth2, no password anywhere), as channel-config
   * would; the access token comes separately (putAccessToken).
   */
  async putOAuthChannel(projectId: string, username: string, provider: OAuthProvider = 'google'): Promise<ChannelSettingsSnapshot> {
    const revision = (this.revisions.get(projectId) ?? 0) + 1;
    this.revisions.set(projectId, revision);
    const snapshot: ChannelSettingsSnapshot = {
      projectId,
      enabled: true,
      revision,
      updatedAt: new Date().toISOString(),
      communicationStyle: '',
      imap: {
        host: this.dovecot.host,
        port: this.dovecot.imapPort,
        encryption: 'tcp',
        username,
        validateCertificate: false,
        markAsRead: false,
        auth: { type: 'oauth2', provider },
      },
      smtp: null,
      identity: { fromEmail: username, fromName: 'Shop', signatureHtml: '' },
      guidelines: '',
      responseDelay: { minSeconds: 0, maxSeconds: 0 },
      import: { since: null },
    };
    await (await this.buckets.bucket(CHANNEL_SETTINGS_BUCKET)).put(projectId, JSON.stringify(snapshot));
    return snapshot;
  }

  /** Publishes a direction's access token (sealed for the snapshot's IMAP settings) or its revocation, as channel-config would. */
  async putAccessToken(
    snapshot: ChannelSettingsSnapshot,
    token: { accessToken: string; expiresAt: Date } | { revoked: string },
    version: number,
  ): Promise<void> {
    const imap = snapshot.imap!;
    const provider = imap.auth?.type === 'oauth2' ? imap.auth.provider : 'google';
    const base = { projectId: snapshot.projectId, direction: 'imap' as const, provider, version };
    const entry: OAuthAccessTokenEntry =
      'revoked' in token
        ? { ...base, revoked: token.revoked, revokedAt: new Date().toISOString() }
        : {
            ...base,
            account: imap.username,
            accessToken: this.box.seal(token.accessToken, channelAccessTokenContext(snapshot.projectId, 'imap', imap)),
            expiresAt: token.expiresAt.toISOString(),
          };
    await (await this.buckets.bucket(OAUTH_ACCESS_TOKEN_BUCKET)).put(`${snapshot.projectId}.imap`, JSON.stringify(entry));
  }

  /**
   * Plays another replica that holds a mailbox's lease and renews it every 2 s, until `crash()`: then it stops
   * renewing without releasing, as a replica that died would.
   */
  async holdLeaseAsOtherReplica(projectId: string, replicaId: string): Promise<{ crash(): void }> {
    const bucket = await this.buckets.bucket(MAILBOX_LEASE_BUCKET, { ttlMs: 15_000 });
    let revision = await bucket.create(projectId, replicaId);
    const timer = setInterval(() => {
      void bucket.update(projectId, replicaId, revision).then((next) => (revision = next), () => undefined);
    }, 2_000);
    return { crash: () => clearInterval(timer) };
  }

  async leaseHolder(projectId: string): Promise<string | null> {
    const bucket = await this.buckets.bucket(MAILBOX_LEASE_BUCKET, { ttlMs: 15_000 });
    const entry = await bucket.get(projectId);
    return entry && entry.operation === 'PUT' ? entry.string() : null;
  }

  /** What mail-ingest last reported of a project's mailbox for the channel status route. */
  async statusReport(projectId: string): Promise<MailboxStatusRecord | null> {
    const entry = await (await this.buckets.bucket(MAILBOX_STATUS_BUCKET)).get(projectId);
    return entry && entry.operation === 'PUT' ? entry.json<MailboxStatusRecord>() : null;
  }

  async rawMail(key: string): Promise<Buffer | null> {
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    const blob = await store.getBlob(key);
    return blob ? Buffer.from(blob) : null;
  }

  /** Keeps raw bytes in the object store as mail-ingest does before it parses (to play an older version's run). */
  async putRawMail(key: string, raw: Buffer): Promise<void> {
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    await store.putBlob({ name: key }, raw);
  }

  eventsOf(projectId: string): ReceivedEvent[] {
    return this.events.filter((event) => event.envelope.projectId === projectId);
  }

  /** Runs SQL against the service's database (to play a crash that lost the checkpoint, for example). */
  async sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.database.url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  /** Every mail.received on the MAIL stream, from its start, with the time it reached this test. */
  private async collectMailReceived(): Promise<void> {
    const consumer = await jetstream(this.nc).consumers.get('MAIL', { filter_subjects: 'mail.*.received' });
    const messages = await consumer.consume();
    this.consumer = messages;
    void (async () => {
      for await (const message of messages) {
        this.events.push({ envelope: message.json(), subject: message.subject, backlog: !!message.headers?.get(BACKLOG_HEADER), receivedAt: Date.now() });
      }
    })();
  }
}

/** A small RFC 5322 message with CRLF line ends. */
export function testMail(options: { subject: string; messageId?: string | null; from?: string; to?: string; body?: string; extraHeaders?: string[] }): string {
  const lines = [
    `From: ${options.from ?? 'Ann Customer <ann@customer.test>'}`,
    `To: ${options.to ?? 'support@shop.test'}`,
    `Subject: ${options.subject}`,
    `Date: ${new Date().toUTCString()}`,
    ...(options.messageId === null ? [] : [`Message-ID: ${options.messageId ?? `<${randomBytes(8).toString('hex')}@customer.test>`}`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(options.extraHeaders ?? []),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${options.body ?? `Body of ${options.subject}`}\r\n`;
}

/**
 * A TCP proxy in front of Dovecot that hides IDLE from the capability lists, so the watcher meets a server
 * without IDLE and must poll. Only capability response lines are rewritten; everything else passes untouched.
 */
export interface IdleHidingProxy {
  port: number;
  /** Cuts every open connection (as a network failure would); new ones are accepted as before. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startIdleHidingProxy(targetPort: number): Promise<IdleHidingProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    let pending = '';
    upstream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      const complete = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      const rewritten = complete
        .split('\n')
        .map((line) => (/^(\*|\S+) (OK \[CAPABILITY |CAPABILITY )/i.test(line) ? line.replace(/ IDLE(?=[\s\]])/gi, '') : line))
        .join('\n');
      client.write(Buffer.from(rewritten, 'latin1'));
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
