import 'reflect-metadata';
import { BadRequestException, Logger, ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import type { ValidationError } from 'class-validator';
import { ConsumerStatus, JetStreamServer, MESSAGING_OPTIONS, NATS_CONNECTION, RethrowEventErrors, streamSettingsOf, type MessagingOptions } from '@ensoras/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Server } from 'node:net';
import type { DestinationStream } from 'pino';
import { observe, type Observability } from './logging/observed-service.js';
import { DEFAULT_JSON_BODY_LIMIT_BYTES, useJsonBodyLimit } from './json-body-limit.js';
import { MessagingMetrics } from './metrics/messaging-metrics.js';
import { documentApi } from './openapi/document-api.js';
import { answerProbesWhileStarting } from './startup-probes.js';

export interface ServiceStartOptions {
  name: string;
  module: Parameters<typeof NestFactory.create>[0];
  port: number;
  /** The interface to listen on (the environment's HOST). */
  host: string;
  /** Set when the service consumes events: the durable consumer its replicas share. */
  durableName?: string;
  /** The JSON body limit, from the service's request DTOs (`jsonBodyLimitOf`); default 100 KB. Larger: 413 naming it. */
  jsonBodyLimitBytes?: number;
  /** Where the log lines go; stdout unless told (tests that read them). */
  logDestination?: DestinationStream;
}

/** A 400 that names each bad field by its full path, e.g. `imap.port: imap.port must not be greater than 65535`. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({ statusCode: 400, error: 'Bad Request', message: flatten(errors) }),
  });
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => `${path}: ${reason.replace(error.property, path)}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Starts HTTP and, when it consumes events, the JetStream transport; stops both cleanly on SIGTERM/SIGINT. */
export async function startService(options: ServiceStartOptions): Promise<INestApplication> {
  // First of all: tracing patches `http` before Nest loads express, and every line from here on is JSON (or pretty).
  const observability = observe(options.name, { logDestination: options.logDestination });
  Logger.overrideLogger(observability.logger);
  const logger = new Logger(options.name);
  // Nest waits for the database and NATS, retrying without end; meanwhile the port answers the probes.
  const probes = await answerProbesWhileStarting(options.port, options.host, options.name);
  let app: INestApplication;
  try {
    app = await createApplication(options, observability);
    await app.init();
  } finally {
    await probes.close();
  }
  await app.listen(options.port, options.host);
  logger.log(`${options.name} listening on ${listeningAddress(app)}`);
  return app;
}

async function createApplication(options: ServiceStartOptions, observability: Observability): Promise<INestApplication> {
  const app = await NestFactory.create(observability.module(options.module), { logger: observability.logger });
  useJsonBodyLimit(app, options.jsonBodyLimitBytes ?? DEFAULT_JSON_BODY_LIMIT_BYTES);
  app.useGlobalPipes(validationPipe());
  documentApi(app, options.name);
  app.enableShutdownHooks();
  if (options.durableName) {
    const server = new JetStreamServer({
      connection: app.get<NatsConnection>(NATS_CONNECTION),
      durableName: options.durableName,
      observer: metricsOf(app),
      streams: streamSettingsOf(app.get<MessagingOptions>(MESSAGING_OPTIONS).nats),
    });
    app.get(ConsumerStatus).watch(server);
    const microservice = app.connectMicroservice({
      strategy: server,
    }, { deferInitialization: true });
    microservice.useGlobalFilters(new RethrowEventErrors());
    // What connectMicroservice does when not deferred, now that the filter is in place: the handlers are bound
    // with it, and the lifecycle hooks run once with the app's instead of a second time for the microservice.
    const hybrid = microservice as unknown as NestMicroservice;
    hybrid.registerListeners();
    hybrid.setIsInitialized(true);
    hybrid.setIsInitHookCalled(true);
    // Returns at once: the consumers are set up in the background until NATS answers (see JetStreamServer.listen).
    await app.startAllMicroservices();
  }
  return app;
}

/** The messaging metrics when the service imports HealthModule (every service does; some test modules do not). */
function metricsOf(app: INestApplication): MessagingMetrics | undefined {
  try {
    return app.get(MessagingMetrics, { strict: false });
  } catch {
    return undefined;
  }
}

/** Where the HTTP server really listens, as the socket reports it (`http://[::]:3001` when bound to all of IPv6). */
function listeningAddress(app: INestApplication): string {
  const address = (app.getHttpServer() as Server).address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
