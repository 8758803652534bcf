/**
 * What channel-config's integration specs share: a private nats-server, a fresh PostgreSQL database, the app booted
 * in-process as main.ts does (again after stopApp(), with the environment as the spec left it), clients of its
 * database and NATS, and its routes called as the admin (or a token) would. Not part of the build
 * (tsconfig.build.json).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { KeyValueBuckets } from '@ensoras/messaging';
import { startService } from '@ensoras/runtime';
import { createTestDatabase, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AppModule } from '../app.module.js';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';
import { CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES } from '../config/json-body-limit.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Answer<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class ChannelConfigHarness {
  app!: INestApplication;
  url!: string;
  private readonly buckets: KeyValueBuckets;

  private constructor(
    /** What the app boots with; a spec may change it before startApp(). */
    readonly environment: ChannelConfigEnvironment,
    readonly nats: NatsTestServer,
    readonly database: TestDatabase,
    readonly nc: NatsConnection,
    readonly db: pg.Client,
    private readonly dataDir: string,
  ) {
    this.buckets = new KeyValueBuckets(nc);
  }

  /** Starts the servers and boots channel-config; `environment` on top of what every spec needs. */
  static async start(environment: Partial<ChannelConfigEnvironment> = {}): Promise<ChannelConfigHarness> {
    const [nats, database, dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'channel-config-'))]);
    const harness = new ChannelConfigHarness(
      Object.assign(new ChannelConfigEnvironment(), {
        NATS_URL: nats.url,
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        PORT: 0,
        ADMIN_TOKEN,
        SECRETS_KEY: randomBytes(32).toString('base64'),
        ...environment,
      }),
      nats,
      database,
      await connect({ servers: nats.url }),
      new pg.Client({ connectionString: database.url }),
      dataDir,
    );
    await harness.db.connect();
    await harness.startApp();
    return harness;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.nc.close();
    await this.db.end();
    await Promise.allSettled([this.database.drop(), this.nats.stop()]);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  async startApp(): Promise<void> {
    this.app = await startService({
      name: 'channel-config',
      module: AppModule.forRoot(this.environment),
      port: 0,
      host: '127.0.0.1',
      durableName: 'channel-config',
      jsonBodyLimitBytes: CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES,
    });
    this.url = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  stopApp(): Promise<void> {
    return this.app.close();
  }

  /** Calls a route with the admin token, another token, or none (null); the body parsed when there is one. */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<Answer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text, headers: response.headers };
  }

  /** A KV bucket the services share, created when channel-config has not yet. */
  bucket(name: string): Promise<KV> {
    return this.buckets.bucket(name);
  }
}
