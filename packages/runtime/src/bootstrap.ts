import 'reflect-metadata';
import { BadRequestException, Logger, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import type { ValidationError } from 'class-validator';
import { JetStreamServer, NATS_CONNECTION, RethrowEventErrors } from '@ensoras/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Server } from 'node:net';
import { LOG_LEVELS } from './environment.js';

export interface ServiceStartOptions {
  name: string;
  module: Parameters<typeof NestFactory.create>[0];
  port: number;
  /** The interface to listen on (the environment's HOST). */
  host: string;
  /** Set when the service consumes events: the durable consumer its replicas share. */
  durableName?: string;
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
  const logger = new Logger(options.name);
  const app = await NestFactory.create(options.module, { logger: loggerLevels(process.env.LOG_LEVEL) });
  app.useGlobalPipes(validationPipe());
  app.enableShutdownHooks();
  if (options.durableName) {
    const microservice = app.connectMicroservice({
      strategy: new JetStreamServer({ connection: app.get<NatsConnection>(NATS_CONNECTION), durableName: options.durableName }),
    }, { deferInitialization: true });
    microservice.useGlobalFilters(new RethrowEventErrors());
    // What connectMicroservice does when not deferred, now that the filter is in place: the handlers are bound
    // with it, and the lifecycle hooks run once with the app's instead of a second time for the microservice.
    const hybrid = microservice as unknown as NestMicroservice;
    hybrid.registerListeners();
    hybrid.setIsInitialized(true);
    hybrid.setIsInitHookCalled(true);
    await app.startAllMicroservices();
  }
  await app.listen(options.port, options.host);
  logger.log(`${options.name} listening on ${listeningAddress(app)}`);
  return app;
}

/** Where the HTTP server really listens, as the socket reports it (`http://[::]:3001` when bound to all of IPv6). */
function listeningAddress(app: INestApplication): string {
  const address = (app.getHttpServer() as Server).address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** LOG_LEVEL names the least severe level that is logged; the environment class has validated it. */
function loggerLevels(level: string | undefined): LogLevel[] {
  const index = LOG_LEVELS.indexOf((level ?? 'log') as (typeof LOG_LEVELS)[number]);
  return ['fatal', ...LOG_LEVELS.slice(0, index < 0 ? 3 : index + 1)];
}
