import 'reflect-metadata';
import { BadRequestException, Logger, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import type { ValidationError } from 'class-validator';
import { JetStreamServer, NATS_CONNECTION, RethrowEventErrors } from '@ensoras/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import { LOG_LEVELS } from './environment.js';

export interface ServiceStartOptions {
  name: string;
  module: Parameters<typeof NestFactory.create>[0];
  port: number;
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
  await app.listen(options.port, process.env.HOST ?? '0.0.0.0');
  logger.log(`${options.name} listening on http://127.0.0.1:${options.port}`);
  return app;
}

/** LOG_LEVEL names the least severe level that is logged; the environment class has validated it. */
function loggerLevels(level: string | undefined): LogLevel[] {
  const index = LOG_LEVELS.indexOf((level ?? 'log') as (typeof LOG_LEVELS)[number]);
  return ['fatal', ...LOG_LEVELS.slice(0, index < 0 ? 3 : index + 1)];
}
