import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from '@ensoras/persistence';
import type { NatsTestServer, TestDatabase } from '@ensoras/testing';
import { JetStreamServer, type JetStreamServerOptions } from '../consuming/jetstream.server.js';
import { RethrowEventErrors } from '../consuming/rethrow-event-errors.filter.js';
import { MESSAGING_ENTITIES } from '../index.js';
import { MessagingModule } from '../messaging.module.js';
import { NATS_CONNECTION, type MessagingOptions } from '../messaging.tokens.js';
import { CreateMessagingTables1764000000000 } from '../outbox/messaging-tables.migration.js';
import { AddOutboxParking1796000000000 } from '../outbox/outbox-parking.migration.js';

export interface MessagingTestAppOptions {
  nats: NatsTestServer;
  database: TestDatabase;
  /** Service name, schema and durable consumer name. */
  service: string;
  controllers: Type[];
  outboxRetry?: MessagingOptions['outboxRetry'];
  consumer?: Omit<JetStreamServerOptions, 'connection' | 'durableName'>;
}

/** A service as the apps wire one (own schema with the messaging tables, outbox, JetStream transport), for specs. */
export async function startMessagingTestApp(options: MessagingTestAppOptions): Promise<INestApplication> {
  const { nats, database, service } = options;
  @Module({
    imports: [
      PersistenceModule.forRoot({
        schema: service,
        entities: MESSAGING_ENTITIES,
        migrations: [CreateMessagingTables1764000000000, AddOutboxParking1796000000000],
        databaseUrl: database.url,
        dataDir: mkdtempSync(join(tmpdir(), `messaging-${service}-`)),
      }),
      MessagingModule.forRoot({ serviceName: service, nats: { NATS_URL: nats.url }, outboxRetry: options.outboxRetry }),
    ],
    controllers: options.controllers,
  })
  class TestServiceModule {}
  const app = await NestFactory.create(TestServiceModule, { logger: ['error'] });
  const microservice = app.connectMicroservice(
    { strategy: new JetStreamServer({ connection: app.get(NATS_CONNECTION), durableName: service, ...options.consumer }) },
    { deferInitialization: true },
  );
  microservice.useGlobalFilters(new RethrowEventErrors());
  await app.startAllMicroservices();
  await app.init();
  return app;
}
